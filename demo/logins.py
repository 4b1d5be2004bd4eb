"""Every login of the demo, with its role and what to try with it: the one list `load_demo`
prints and the README points to. Each says what the demo's data makes true for that account
(tests/demo/test_load_demo.py checks the list against the accounts)."""

from dataclasses import dataclass

from demo.services import ADMIN, MEMBER_PASSWORD, MODERATOR


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    to_try: str


LOGINS: tuple[Login, ...] = (
    Login(ADMIN["username"], ADMIN["password"], "admin",
          "Django's admin at /admin/; staff, and a moderator too"),
    Login(MODERATOR["username"], MODERATOR["password"], "moderator",
          "two open cases in the queue and an appeal to hear"),
    Login("moderateur", MODERATOR["password"], "moderator",
          "decided the appealed case, so may not hear its appeal"),
    Login("marco", MEMBER_PASSWORD, "member",
          "the charter ballot awaits his vote; his reply in the picnic thread is "
          "hidden pending review (he may edit it)"),
    Login("camille", MEMBER_PASSWORD, "member",
          "the charter ballot awaits her vote; \"My signals\" shows what came of "
          "what she signalled"),
    Login("priya", MEMBER_PASSWORD, "member",
          "a post of hers was hidden and her appeal awaits a moderator; a trustee of the "
          "open ballot"),
    Login("owen", MEMBER_PASSWORD, "member",
          "his amendment on AI-generated content is in discussion: he may still revise it"),
    Login("amina", MEMBER_PASSWORD, "member",
          "her amendment on neighbourhood events seeks co-sponsors (1 of 3)"),
    Login("helene", MEMBER_PASSWORD, "member",
          "proposed the amendment in ballot (5 days of discussion instead of 7), and voted"),
    Login("lea_n", MEMBER_PASSWORD, "member",
          "her suspension was overturned on appeal; a trustee of the open ballot"),
    Login("joseph", MEMBER_PASSWORD, "member",
          "a trustee of the open ballot; co-sponsored amina's amendment"),
    Login("thomas_b", MEMBER_PASSWORD, "member",
          "voted against the founding charter; a post he signalled was kept"),
    Login("sam_k", MEMBER_PASSWORD, "newcomer",
          "joined 14 days ago, too recently to vote (the ballot page says why)"),
)  # fmt: skip
