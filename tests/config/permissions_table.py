"""Who may do what, URL by URL: the policy that tests/config/test_permissions_matrix.py enforces.

Every URL pattern of the project has at least one entry. An entry says how to build the URL
from the test's world (`w`: a ratified charter, a thread, proposals, cases… see the test
module), which body a POST sends, and, for each persona, what a GET and a POST (with a valid
CSRF token) answer. The outcomes are symbolic, so the table reads as a policy:

    OK           200: the page, or the form again with its errors
    INVALID      400: allowed in, but the form was refused
    STOP_POLLING 286: a fragment polled by htmx has nothing more to say
    REDIRECT     a redirect that is not to a sign-in page, with no error message: it acted
    REFUSED      a redirect carrying an error message: allowed in, the action was refused
    LOGIN        a redirect to the sign-in page
    ADMIN_LOGIN  a redirect to the admin's sign-in page
    FORBIDDEN    403
    NOT_FOUND    404: the page exists, but hiding it is the policy
    NOT_ALLOWED  405: the method is refused

The kind of an entry states the method rules the test checks on top:
    PAGE    reads: a POST acts on nothing (NOT_ALLOWED, or refused before that)
    FORM    a GET shows a form and changes nothing; a POST acts
    ACTION  POST only: every signed-in GET is NOT_ALLOWED

Every POST without a CSRF token is refused (403), unless the entry says why the view is
exempt. No GET writes to the database, unless the entry says why it may.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib import admin

from tests.builders.members import PASSWORD

PERSONAS = ("visitor", "member", "suspended", "moderator", "admin")

OK = "OK"
INVALID = "INVALID"
STOP_POLLING = "STOP_POLLING"
REDIRECT = "REDIRECT"
REFUSED = "REFUSED"
LOGIN = "LOGIN"
ADMIN_LOGIN = "ADMIN_LOGIN"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
NOT_ALLOWED = "NOT_ALLOWED"
CSRF = "CSRF"

PAGE = "page"
FORM = "form"
ACTION = "action"

Expect = dict[str, str]


def everyone(outcome: str) -> Expect:
    return dict.fromkeys(PERSONAS, outcome)


def signed_in(outcome: str, **but: str) -> Expect:
    """Any signed-in member; a visitor is sent to sign in."""
    return {"visitor": LOGIN, **dict.fromkeys(PERSONAS[1:], outcome), **but}


def participants(outcome: str, **but: str) -> Expect:
    """Members in good standing write; a suspended member reads but may not write."""
    return signed_in(outcome, suspended=FORBIDDEN, **but)


def moderators(outcome: str) -> Expect:
    """Moderators only: members, suspended members and admins (who are not moderators) are
    refused."""
    return signed_in(FORBIDDEN, moderator=outcome)


def author_only(outcome: str) -> Expect:
    """The member persona wrote it; nobody else may."""
    return signed_in(FORBIDDEN, member=outcome)


@dataclass(frozen=True)
class Entry:
    name: str  # namespace:name, or the route of an unnamed pattern
    kind: str
    get: Expect
    post: Expect
    kwargs: Callable[[Any], dict] | None = None
    path: Callable[[Any], str] | None = None  # instead of reversing `name` with `kwargs`
    data: dict | Callable[[Any], dict] = field(default_factory=dict)
    variant: str = ""  # several entries for one URL say which object they use
    csrf_exempt: str = ""  # why a POST needs no CSRF token
    writes_on_get: str = ""  # why a GET may write to the database
    moderators_only: bool = False
    charter_write: bool = False  # the staff's founding powers, gone once a charter is ratified

    @property
    def key(self) -> str:
        return f"{self.name} [{self.variant}]" if self.variant else self.name


def page(name: str, get: Expect, **options) -> Entry:
    """A page that reads: a POST is refused by its method, or sent to sign in first."""
    post = {p: (o if o in (LOGIN, ADMIN_LOGIN) else NOT_ALLOWED) for p, o in get.items()}
    return Entry(name, PAGE, get, options.pop("post", post), **options)


def action(name: str, post: Expect, **options) -> Entry:
    """POST only: a visitor stopped by the sign-in first is sent there, else NOT_ALLOWED."""
    get = {p: (o if o == LOGIN else NOT_ALLOWED) for p, o in post.items()}
    return Entry(name, ACTION, options.pop("get", get), post, **options)


def form(name: str, get: Expect, post: Expect, **options) -> Entry:
    return Entry(name, FORM, get, post, **options)


PUBLIC = everyone(OK)


def _picture(member, key: str) -> dict:
    return {"pk": member.pk, "key": key, "size": 48}


def _file(upload) -> dict:
    return {"token": upload.token, "name": upload.name}


FORUM = [
    page("forum:index", PUBLIC),
    page("forum:category", PUBLIC, kwargs=lambda w: {"slug": w.category.slug}),
    page(
        "forum:category",
        everyone(NOT_FOUND) | {"moderator": OK},
        kwargs=lambda w: {"slug": w.restricted.slug},
        variant="moderators' category",
    ),
    form(
        "forum:new_thread",
        participants(OK),
        participants(REDIRECT),
        kwargs=lambda w: {"slug": w.category.slug},
        data={"title": "A new thread", "source": "Its opening post."},
    ),
    form(
        "forum:new_thread",
        signed_in(NOT_FOUND, moderator=OK),
        signed_in(NOT_FOUND, moderator=REDIRECT),
        kwargs=lambda w: {"slug": w.restricted.slug},
        data={"title": "A new thread", "source": "Its opening post."},
        variant="moderators' category",
    ),
    form(
        "forum:new_thread",
        signed_in(FORBIDDEN, moderator=OK),
        signed_in(FORBIDDEN, moderator=REDIRECT),
        kwargs=lambda w: {"slug": w.announcements.slug},
        data={"title": "A new thread", "source": "Its opening post."},
        variant="written by moderators only",
    ),
    action(
        "forum:watch_category",
        signed_in(REDIRECT),
        kwargs=lambda w: {"slug": w.category.slug},
        data={"level": "watching"},
    ),
    page(
        "forum:thread",
        PUBLIC,
        kwargs=lambda w: {"pk": w.thread.pk},
        writes_on_get="a signed-in reader's read mark moves on to the posts shown",
    ),
    page(
        "forum:thread",
        everyone(NOT_FOUND) | {"moderator": OK},
        kwargs=lambda w: {"pk": w.restricted_thread.pk},
        variant="moderators' category",
        writes_on_get="a signed-in reader's read mark moves on to the posts shown",
    ),
    page("forum:first_unread", everyone(REDIRECT), kwargs=lambda w: {"pk": w.thread.pk}),
    form(
        "forum:reply",
        participants(OK),
        participants(REDIRECT),
        kwargs=lambda w: {"pk": w.thread.pk},
        data={"source": "A reply."},
    ),
    form(
        "forum:reply",
        signed_in(FORBIDDEN, moderator=OK),
        signed_in(FORBIDDEN, moderator=REDIRECT),
        kwargs=lambda w: {"pk": w.locked_thread.pk},
        data={"source": "A reply."},
        variant="locked thread",
    ),
    action(
        "forum:watch_thread",
        signed_in(REDIRECT),
        kwargs=lambda w: {"pk": w.thread.pk},
        data={"level": "muted"},
    ),
    form(
        "forum:stop_watching",
        PUBLIC,
        PUBLIC,
        kwargs=lambda w: {"token": w.stop_watching_token},
        csrf_exempt="RFC 8058 one-click unsubscribe: mail clients POST without cookies",
    ),
    page("forum:post", everyone(REDIRECT), kwargs=lambda w: {"pk": w.other_post.pk}),
    page(
        "forum:post",
        everyone(NOT_FOUND) | {"moderator": REDIRECT},
        kwargs=lambda w: {"pk": w.restricted_post.pk},
        variant="moderators' category",
    ),
    form(
        "forum:edit_post",
        author_only(OK),
        author_only(REDIRECT),
        kwargs=lambda w: {"pk": w.member_post.pk},
        data={"source": "Mended."},
    ),
    form(
        "forum:delete_post",
        signed_in(FORBIDDEN, member=OK, moderator=OK),
        signed_in(FORBIDDEN, member=REDIRECT, moderator=REDIRECT),
        kwargs=lambda w: {"pk": w.member_post.pk},
    ),
    page("forum:post_history", PUBLIC, kwargs=lambda w: {"pk": w.member_post.pk}),
    action("forum:thanks", participants(REDIRECT), kwargs=lambda w: {"pk": w.other_post.pk}),
    action(
        "forum:quote",
        participants(OK),
        kwargs=lambda w: {"pk": w.other_post.pk},
        data={"source": "As you said:"},
    ),
    # Renders Markdown, writes nothing; POST only because a post can be long.
    action("forum:preview", signed_in(OK), data={"source": "**Bold** words."}),
    # A file sent with no file: the form's error, as JSON for the composer's script.
    action("forum:upload_new", participants(INVALID), data={}),
    page("forum:upload", PUBLIC, kwargs=lambda w: _file(w.public_file)),
    page(
        "forum:upload",
        everyone(NOT_FOUND) | {"moderator": OK},
        kwargs=lambda w: _file(w.restricted_file),
        variant="moderators' category",
    ),
    page(
        "forum:upload",
        everyone(NOT_FOUND) | {"member": OK, "moderator": OK},
        kwargs=lambda w: _file(w.unused_file),
        variant="in no post yet",
    ),
    page("forum:search", PUBLIC, path=lambda w: "/search/?q=tomatoes"),
    page("forum:member", PUBLIC, kwargs=lambda w: {"username": w.other.username}),
]

MEMBERS = [
    form(
        "members:settings",
        signed_in(OK),
        signed_in(REDIRECT),
        data={"display_name": "A new name", "theme": "dark"},
    ),
    action("members:set_language", everyone(REDIRECT), data={"language": "fr", "next": "/"}),
    # Sent with no picture: the settings again, saying to choose one.
    action("members:choose_avatar", signed_in(OK), data={}),
    action("members:remove_avatar", signed_in(REDIRECT)),
    page("avatar", PUBLIC, kwargs=lambda w: _picture(w.other, w.other.avatar)),
    page(
        "avatar",
        everyone(NOT_FOUND),
        kwargs=lambda w: _picture(w.other, "000000000000"),
        variant="a replaced picture",
    ),
    # The data export asks for the password again first (tests/members/test_reauthentication.py).
    page("members:my_data", signed_in(REDIRECT)),
    page("members:my_data_export", signed_in(REDIRECT)),
    # Anyone may leave, with their password, except an admin (another admin demotes them first).
    form(
        "members:delete_account",
        signed_in(OK),
        signed_in(REDIRECT, admin=FORBIDDEN),
        data={"password": PASSWORD},
    ),
]

NOTIFICATIONS = [
    page("notifications:inbox", signed_in(OK)),
    page("notifications:bell", signed_in(OK), post=everyone(NOT_ALLOWED)),
    action("notifications:mark_all_read", signed_in(REDIRECT)),
    # Another member's notification does not exist for them.
    action(
        "notifications:open",
        signed_in(NOT_FOUND, member=REDIRECT),
        kwargs=lambda w: {"pk": w.notification.pk},
    ),
    action(
        "notifications:mark_read",
        signed_in(NOT_FOUND, member=REDIRECT),
        kwargs=lambda w: {"pk": w.notification.pk},
    ),
    form(
        "notifications:preferences",
        signed_in(OK),
        signed_in(REDIRECT),
        data=lambda w: dict.fromkeys(w.notification_kinds, "never"),
    ),
    # "My address works again": nothing to refuse, whether emails to it stopped or not.
    action("notifications:resume_emails", signed_in(REDIRECT)),
    form(
        "notifications:stop_emails",
        PUBLIC,
        PUBLIC,
        kwargs=lambda w: {"token": w.stop_emails_token},
        csrf_exempt="RFC 8058 one-click unsubscribe: mail clients POST without cookies",
    ),
    form(
        "notifications:stop_list",
        PUBLIC,
        PUBLIC,
        kwargs=lambda w: {"token": w.stop_list_token},
        csrf_exempt="RFC 8058 one-click unsubscribe: mail clients POST without cookies",
    ),
]

CHARTER = [
    page("charter:charter", PUBLIC),
    page("charter:history", PUBLIC),
    page("charter:version", PUBLIC, kwargs=lambda w: {"number": w.charter.number}),
    page("charter:diff", PUBLIC),
    form(
        "charter:accept",
        signed_in(OK),
        signed_in(REDIRECT),
        data=lambda w: {"version": w.charter.pk, "accept": "on"},
    ),
    # Once a charter is ratified there is no draft: the page leads to the charter in force.
    page("charter:draft", everyone(REDIRECT)),
    form(
        "charter:edit_draft",
        signed_in(FORBIDDEN),
        signed_in(FORBIDDEN),
        charter_write=True,
    ),
    action("charter:open_founding_ballot", signed_in(FORBIDDEN), charter_write=True),
    page("charter:proposals", PUBLIC),
    # Admins are members like the others here: they propose, co-sponsor and vote as members.
    form("charter:new_proposal", participants(OK), participants(OK)),
    page("charter:proposal", PUBLIC, kwargs=lambda w: {"pk": w.seeking.pk}),
    page(
        "charter:proposal",
        everyone(NOT_FOUND) | {"member": OK},
        kwargs=lambda w: {"pk": w.member_draft.pk},
        variant="the member's draft",
    ),
    form(
        "charter:edit_proposal",
        author_only(OK),
        author_only(OK),
        kwargs=lambda w: {"pk": w.member_draft.pk},
        variant="the member's draft",
    ),
    action(
        "charter:submit_proposal",
        author_only(REDIRECT),
        kwargs=lambda w: {"pk": w.member_draft.pk},
        variant="the member's draft",
    ),
    action(
        "charter:sponsor_proposal",
        participants(REDIRECT),
        kwargs=lambda w: {"pk": w.seeking.pk},
        variant="another member's proposal",
    ),
    action(
        "charter:withdraw_proposal",
        author_only(REDIRECT),
        kwargs=lambda w: {"pk": w.member_draft.pk},
        variant="the member's draft",
    ),
    page("charter:ballot", PUBLIC, kwargs=lambda w: {"pk": w.ballot.pk}),
    action(
        "charter:vote",
        signed_in(REDIRECT, suspended=REFUSED),
        kwargs=lambda w: {"pk": w.ballot.pk},
        data={"choice": "yes", "final": "on"},
    ),
    page("charter:votes_cast", PUBLIC, kwargs=lambda w: {"pk": w.ballot.pk}),
    page("charter:ballot_record", PUBLIC, kwargs=lambda w: {"pk": w.ballot.pk}),
    page("charter:ballot_box", PUBLIC, kwargs=lambda w: {"pk": w.ballot.pk}),
    # The trustees' steps: only the members drawn for the ballot's key, and none of the
    # personas is one.
    action("charter:trustee_key", signed_in(FORBIDDEN), kwargs=lambda w: {"pk": w.ballot.pk}),
    action("charter:trustee_step", signed_in(FORBIDDEN), kwargs=lambda w: {"pk": w.ballot.pk}),
    action("charter:trustee_upload", signed_in(FORBIDDEN), kwargs=lambda w: {"pk": w.ballot.pk}),
    page(
        "charter:trustee_input",
        signed_in(FORBIDDEN),
        kwargs=lambda w: {"pk": w.ballot.pk, "name": "certs.jsons"},
    ),
    page(
        "charter:ballot",
        PUBLIC,
        kwargs=lambda w: {"pk": w.founding_ballot.pk},
        variant="closed founding ballot",
    ),
    # A vote after the close is refused, whoever casts it.
    action(
        "charter:vote",
        signed_in(REFUSED),
        kwargs=lambda w: {"pk": w.founding_ballot.pk},
        data={"choice": "no", "final": "on"},
        variant="closed founding ballot",
    ),
    page(
        "charter:votes_cast",
        everyone(STOP_POLLING),
        kwargs=lambda w: {"pk": w.founding_ballot.pk},
        variant="closed founding ballot",
    ),
]

# Before a charter is ratified, stage by stage (checked by a second, smaller matrix): the admin
# drafts and opens the founding ballot, and only until that ballot opens.

NO_CHARTER = "no charter yet"
PROVISIONAL = "provisional draft"
FOUNDING_BALLOT = "founding ballot open"
FOUNDING_STAGES = (NO_CHARTER, PROVISIONAL, FOUNDING_BALLOT)


def _at(stage: str, *stage_entries: Entry) -> list[Entry]:
    return [replace(entry, variant=stage) for entry in stage_entries]


def _accept_draft(w) -> dict:
    return {"version": w.draft.pk, "accept": "on"}


FOUNDING = [
    *_at(
        NO_CHARTER,
        page("charter:charter", everyone(REDIRECT)),
        page("charter:draft", PUBLIC),
        page("charter:history", PUBLIC),
        page("charter:diff", everyone(NOT_FOUND)),
        # Nothing to accept: the page says so, and its button sends the member on.
        form("charter:accept", signed_in(OK), signed_in(REDIRECT)),
        form(
            "charter:edit_draft",
            signed_in(FORBIDDEN, admin=OK),
            signed_in(FORBIDDEN, admin=REDIRECT),
            data=lambda w: w.draft_data,
            charter_write=True,
        ),
        action("charter:open_founding_ballot", signed_in(FORBIDDEN), charter_write=True),
        page("charter:proposals", PUBLIC),
        form("charter:new_proposal", signed_in(FORBIDDEN), signed_in(FORBIDDEN)),
    ),
    *_at(
        PROVISIONAL,
        page("charter:charter", everyone(REDIRECT)),
        page("charter:draft", PUBLIC),
        form("charter:accept", signed_in(OK), signed_in(REDIRECT), data=_accept_draft),
        form(
            "charter:edit_draft",
            signed_in(FORBIDDEN, admin=OK),
            signed_in(FORBIDDEN, admin=REDIRECT),
            data=lambda w: w.draft_data,
            charter_write=True,
        ),
        action(
            "charter:open_founding_ballot",
            signed_in(FORBIDDEN, admin=REDIRECT),
            charter_write=True,
        ),
        form("charter:new_proposal", signed_in(FORBIDDEN), signed_in(FORBIDDEN)),
    ),
    *_at(
        FOUNDING_BALLOT,
        page("charter:draft", PUBLIC),
        form("charter:accept", signed_in(OK), signed_in(REDIRECT), data=_accept_draft),
        form(
            "charter:edit_draft",
            signed_in(FORBIDDEN),
            signed_in(FORBIDDEN),
            data=lambda w: w.draft_data,
            charter_write=True,
        ),
        action("charter:open_founding_ballot", signed_in(FORBIDDEN), charter_write=True),
        page("charter:ballot", PUBLIC, kwargs=lambda w: {"pk": w.ballot.pk}),
        action(
            "charter:vote",
            signed_in(REDIRECT, suspended=REFUSED),
            kwargs=lambda w: {"pk": w.ballot.pk},
            data={"choice": "yes", "final": "on"},
        ),
    ),
]

MODERATION = [
    form(
        "moderation:signal",
        participants(OK),
        participants(REDIRECT),
        kwargs=lambda w: {"post_pk": w.other_post.pk},
        data=lambda w: {"articles": [w.article.pk]},
    ),
    page("moderation:my_signals", signed_in(OK)),
    page("moderation:queue", moderators(OK), moderators_only=True),
    page(
        "moderation:case",
        moderators(OK),
        kwargs=lambda w: {"pk": w.open_case.pk},
        moderators_only=True,
    ),
    action(
        "moderation:claim",
        moderators(REDIRECT),
        kwargs=lambda w: {"pk": w.open_case.pk},
        moderators_only=True,
    ),
    action(
        "moderation:release",
        moderators(REDIRECT),
        kwargs=lambda w: {"pk": w.claimed_case.pk},
        variant="claimed by the moderator",
        moderators_only=True,
    ),
    action(
        "moderation:step_aside",
        moderators(REDIRECT),
        kwargs=lambda w: {"pk": w.conflicted_case.pk},
        variant="signalled by the moderator",
        moderators_only=True,
    ),
    action(
        "moderation:defer",
        moderators(REDIRECT),
        kwargs=lambda w: {"pk": w.open_case.pk},
        data={"note": "Waiting for the author's answer."},
        moderators_only=True,
    ),
    action(
        "moderation:decide",
        moderators(REDIRECT),
        kwargs=lambda w: {"pk": w.open_case.pk},
        data={"outcome": "dismissed", "rationale": "No breach."},
        moderators_only=True,
    ),
    # A moderator who signalled the post may not decide its case.
    action(
        "moderation:decide",
        moderators(FORBIDDEN),
        kwargs=lambda w: {"pk": w.conflicted_case.pk},
        data={"outcome": "dismissed", "rationale": "No breach."},
        variant="signalled by the moderator",
        moderators_only=True,
    ),
    # The decision that suspended the suspended member: theirs and the moderators' to read.
    page(
        "moderation:decision",
        signed_in(FORBIDDEN, suspended=OK, moderator=OK),
        kwargs=lambda w: {"pk": w.suspension.pk},
        variant="the suspended member's",
    ),
    # A suspended member may still appeal; a moderator may read it but not appeal for them.
    action(
        "moderation:appeal_decision",
        signed_in(FORBIDDEN, suspended=REDIRECT),
        kwargs=lambda w: {"pk": w.suspension.pk},
        data={"statement": "It was fair comment."},
        variant="the suspended member's",
    ),
    # The ban email's link opens the decision and the banned member's appeal to whoever holds
    # it, signed in or not: the signed link is the proof. CSRF protection stands.
    form(
        "moderation:ban_appeal",
        PUBLIC,
        everyone(REDIRECT),
        path=lambda w: w.ban_appeal_path,
        data={"statement": "I was quoting the advert to warn others."},
    ),
    form(
        "moderation:ban_appeal",
        everyone(NOT_FOUND),
        everyone(NOT_FOUND),
        kwargs=lambda w: {"token": "forged"},
        data={"statement": "I was quoting the advert to warn others."},
        variant="forged link",
    ),
    page("moderation:appeals", moderators(OK), moderators_only=True),
    form(
        "moderation:appeal",
        moderators(OK),
        moderators(REDIRECT),
        kwargs=lambda w: {"pk": w.pending_appeal.pk},
        data={"outcome": "confirmed", "rationale": "The decision stands."},
        moderators_only=True,
    ),
    # The moderator who decided reads the appeal but may not hear it.
    form(
        "moderation:appeal",
        moderators(OK),
        moderators(FORBIDDEN),
        kwargs=lambda w: {"pk": w.appeal_of_own_decision.pk},
        data={"outcome": "overturned", "rationale": "On reflection, no breach."},
        variant="decided by the moderator",
        moderators_only=True,
    ),
    page("moderation:journal", PUBLIC),
    page("moderation:journal_feed", PUBLIC),
    # Recomputes the whole record: anyone may, a few times an hour (rate-limited).
    page("moderation:verify_record", PUBLIC),
    page("moderation:statistics", PUBLIC),
]

# Allauth. Signed-in members are sent away from signing in and signing up; the key pages work
# for whoever holds the key, as the email that carries it intends.
ACCOUNTS = [
    form(
        "account_login",
        everyone(REDIRECT) | {"visitor": OK},
        everyone(REDIRECT) | {"visitor": OK},
    ),
    form("account_logout", everyone(OK) | {"visitor": REDIRECT}, everyone(REDIRECT)),
    page("account_inactive", PUBLIC),
    form(
        "account_signup",
        everyone(REDIRECT) | {"visitor": OK},
        everyone(REDIRECT) | {"visitor": OK},
    ),
    # Palabre's sign-up view, in front of allauth's at the same address (members.join_view).
    form(
        "join",
        everyone(REDIRECT) | {"visitor": OK},
        everyone(REDIRECT) | {"visitor": OK},
    ),
    form("account_reauthenticate", signed_in(OK), signed_in(OK)),
    # A POST that names no action on an address leads back to the list.
    form("account_email", signed_in(OK), signed_in(REDIRECT)),
    page("account_email_verification_sent", PUBLIC),
    form("account_change_password", signed_in(OK), signed_in(OK)),
    # Everyone here has a password already: setting one leads to changing it.
    form("account_set_password", signed_in(REDIRECT), signed_in(REDIRECT)),
    form("account_reset_password", PUBLIC, PUBLIC),
    # No sign-in by emailed code is under way: back to signing in (or home, if signed in).
    form(
        "account_confirm_login_code",
        everyone(REDIRECT) | {"visitor": LOGIN},
        everyone(REDIRECT) | {"visitor": LOGIN},
    ),
    # The address is confirmed, then its owner is asked to sign in (nobody else is let in).
    form(
        "account_confirm_email",
        PUBLIC,
        everyone(LOGIN),
        kwargs=lambda w: {"key": w.confirmation_key},
    ),
    page("account_reset_password_from_key_done", PUBLIC),
    form(
        "account_reset_password_from_key",
        everyone(REDIRECT),
        everyone(REDIRECT),
        kwargs=lambda w: {"uidb36": w.reset_uid, "key": w.reset_key},
    ),
    page("account_reset_password_done", PUBLIC),
]

# /health/, django-health-check's page once, sends its monitors to /healthz for good.
SITE = [page("health", everyone(REDIRECT)), page("healthz", PUBLIC), page("privacy", PUBLIC)]


# The admin site: staff only. Every other persona is sent to the admin's sign-in page, the
# admin sees every page, and may add, change or delete only what the policy below allows.

ADD, CHANGE, DELETE = "add", "change", "delete"
EVERYTHING = frozenset({ADD, CHANGE, DELETE})
NOTHING = frozenset()

ADMIN_POWERS = {
    "auth.group": EVERYTHING,
    # allauth's own admin ticked addresses verified; the site alone records a confirmation.
    "account.emailaddress": NOTHING,
    # The facts that make a voter and the roles are read-only in the form, and no account is
    # deleted here (moderation's account page deactivates, in the journal).
    "members.member": frozenset({ADD, CHANGE}),
    "forum.category": EVERYTHING,
    # Threads start on the site; the admin renames, pins and locks them, never hard-deletes.
    "forum.thread": frozenset({CHANGE}),
    # Posts change through the forum only (revisions, rendering, counters, soft deletion).
    "forum.post": NOTHING,
    # A ratified charter changes only by the members' vote; its records are read-only.
    "charter.charterversion": NOTHING,
    "charter.proposal": NOTHING,
    "charter.ballot": NOTHING,
    "charter.acceptance": NOTHING,
    # Moderation is done on the site, where every step is checked and journalled.
    "moderation.case": NOTHING,
    "moderation.signal": NOTHING,
    "moderation.decision": NOTHING,
    "moderation.sanction": NOTHING,
    "moderation.appeal": NOTHING,
    "moderation.journalentry": NOTHING,
    "notifications.delivery": NOTHING,
    "notifications.notification": NOTHING,
}

STAFF_ONLY = everyone(ADMIN_LOGIN)


def _staff(outcome: str) -> Expect:
    return STAFF_ONLY | {"admin": outcome}


def _allowed(power: str, powers: frozenset) -> str:
    return OK if power in powers else FORBIDDEN


def admin_entries() -> list[Entry]:
    entries = [
        form("admin:index", _staff(OK), _staff(OK)),
        # No password is tried here: a visitor is sent to the forum's sign-in page (its limits
        # on failed attempts), a member who is not staff is refused; a GET lets the admin in.
        form(
            "admin:login",
            signed_in(FORBIDDEN, admin=REDIRECT),
            signed_in(FORBIDDEN, admin=OK),
        ),
        # Non-staff are sent to the admin's index, which sends them to its sign-in page.
        form(
            "admin:logout",
            everyone(REDIRECT) | {"admin": NOT_ALLOWED},
            everyone(REDIRECT) | {"admin": OK},
        ),
        form("admin:password_change", _staff(OK), _staff(OK)),
        page("admin:password_change_done", _staff(OK)),
        # No admin declares autocomplete fields: every lookup is refused.
        page("admin:autocomplete", _staff(FORBIDDEN), post=_staff(NOT_ALLOWED)),
        page("admin:jsi18n", _staff(OK)),
        page(
            "admin:view_on_site",
            _staff(REDIRECT),
            post=_staff(REDIRECT),
            kwargs=lambda w: {"content_type_id": w.thread_type.pk, "object_id": w.thread.pk},
        ),
        page(
            "admin:app_list",
            _staff(OK),
            post=_staff(OK),
            kwargs=lambda w: {"app_label": "moderation"},
        ),
        # Unknown admin addresses are hidden from non-staff behind the sign-in page.
        page(
            "admin/(?P<url>.*)$",
            _staff(NOT_FOUND),
            post=_staff(NOT_FOUND),
            path=lambda w: "/admin/no-such-page/",
        ),
        # Deactivate, reactivate or change the role of an account: published in the journal.
        form(
            "admin:members_member_account",
            _staff(OK),
            _staff(REDIRECT),
            kwargs=lambda w: {"object_id": w.persons["member"].pk},
            data={"change": "deactivate", "rationale": "A spam account."},
        ),
        form(
            "admin:auth_user_password_change",
            _staff(OK),
            _staff(OK),
            kwargs=lambda w: {"id": w.persons["member"].pk},
        ),
    ]
    for model in admin.site._registry:
        label = model._meta.label_lower
        powers = ADMIN_POWERS.get(label)
        if powers is None:
            continue  # test_every_registered_model_has_admin_powers names it
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

        def object_id(w, model=model) -> dict:
            return {"object_id": w.admin_object(model).pk}

        entries += [
            # Changelists take POSTs for their actions and editable columns.
            form(f"{info}_changelist", _staff(OK), _staff(OK)),
            form(f"{info}_add", _staff(_allowed(ADD, powers)), _staff(_allowed(ADD, powers))),
            page(f"{info}_history", _staff(OK), post=_staff(OK), kwargs=object_id),
            # An empty POST asks for the confirmation page again: nothing is deleted here.
            form(
                f"{info}_delete",
                _staff(_allowed(DELETE, powers)),
                _staff(_allowed(DELETE, powers)),
                kwargs=object_id,
            ),
            # Read-only admins still show the object; only saving is refused.
            form(
                f"{info}_change",
                _staff(OK),
                _staff(_allowed(CHANGE, powers)),
                kwargs=object_id,
            ),
            page(
                f"{prefix[1:]}<path:object_id>/",
                _staff(REDIRECT),
                post=_staff(REDIRECT),
                path=lambda w, model=model, prefix=prefix: f"{prefix}{w.admin_object(model).pk}/",
            ),
        ]
    return entries


def entries() -> list[Entry]:
    return [
        *FORUM,
        *MEMBERS,
        *NOTIFICATIONS,
        *CHARTER,
        *MODERATION,
        *ACCOUNTS,
        *SITE,
        *admin_entries(),
    ]


# Cells that answer against the policy today: (entry key, persona, method) -> what happens.
# The test expects each to mismatch, and fails once it matches, so that the fix removes it.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}
