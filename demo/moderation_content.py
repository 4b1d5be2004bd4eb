"""The demo community's moderation: signals, decisions, appeals and the cases still open.

Pure data, read by the demo loader, which plays it through `moderation.services` with the
clock passed in, so the journal, the queue and each member's record are ones the site itself
could reach. Times are in days before the demo is loaded. A case is about a post named by its
thread's title and number, or about a `reply` the loader adds to the end of that thread (in
its author's own language, as every post of this bilingual forum). The texts of moderation
(notes, rationales, statements) exist in both languages, and the loader takes those of the
site's language, as it does for the charter, whose articles they cite by number.

Cases whose `decision` is None are still open; an appeal whose `hearing` is None awaits one.
"""

from __future__ import annotations

from moderation.sanctions import SanctionKind, Step

# The second moderator, who hears appeals on Noor's decisions. Joined after the founding ballot
# opened, so was not on its roll. Shares the moderators' demo password.
SECOND_MODERATOR: dict = {
    "username": "moderateur",
    "email": "moderateur@demo.palabre.test",
    "display_name": "Yann Le Goff",
    "language": "fr",
    "bio": (
        "Jardin du Canal, parcelle 11. Second modérateur du forum depuis l'été : j'examine "
        "les recours sur les décisions de Noor, et elle sur les miennes."
    ),
    "days_ago_joined": 50,
}

# Article numbers of the demo charter (see charter_content.ARTICLES).
RESPECT, ON_TOPIC, NO_ADVERTISING, PRIVACY = 2, 3, 4, 5

SLUGS = "Granulés anti-limaces : autorisés ou pas sur les parcelles ?"
COURGETTES = "What do I do with 12 kilos of courgettes?"
TOOL_LIBRARY = "Tool library: your feedback and wish list"
ACCESSIBILITY = "Making the gardens accessible: raised beds and better paths"
OPEN_DAY = "Journée portes ouvertes : on cherche des bénévoles"
PICNIC = "Picnic after Saturday's work party?"
TOMATOES = "Tomatoes with yellow lower leaves: blight or just thirsty?"

CASES: list[dict] = [
    # The slug pellets quarrel: both jabs stay up, each with a note and no sanction (the
    # moderators' room has the story, "Fil « limaces » en Au jardin").
    {
        "thread": SLUGS,
        "post": 3,
        "signals": [{"by": "priya", "days_ago": 31.3, "articles": [RESPECT]}],
        "decision": {
            "by": "moderatrice",
            "days_ago": 30.2,
            "outcome": "upheld",
            "articles": [RESPECT],
            "action": "keep",
            "en": (
                "The argument about beer traps is welcome. The jab about “running a nature "
                "reserve” is aimed at other gardeners, not at their idea (article 2). The post "
                "stays up with this note, and no sanction: it is a first time."
            ),
            "fr": (
                "L'argument sur les pièges à bière est bienvenu. La pique sur « tenir une "
                "réserve naturelle » vise d'autres jardiniers, pas leur idée (article 2). Le "
                "message reste en ligne avec cette note, sans sanction : c'est une première fois."
            ),
        },
    },
    {
        "thread": SLUGS,
        "post": 4,
        "signals": [
            {"by": "priya", "days_ago": 31.2, "articles": [RESPECT]},
            {"by": "camille", "days_ago": 31.05, "articles": [RESPECT]},
        ],
        "decision": {
            "by": "moderatrice",
            "days_ago": 30.19,
            "outcome": "upheld",
            "articles": [RESPECT],
            "action": "keep",
            "en": (
                "The question about slug pellets is fair, and the board will answer it. "
                "Accusing a member of helping themselves to a plot, without evidence, is not: "
                "even unnamed, it targets a person (article 2). If something goes missing from "
                "your plot, talk to your garden's coordinator. No sanction: it is a first time."
            ),
            "fr": (
                "La question des granulés est légitime, et le conseil y répondra. Accuser sans "
                "preuve un membre de s'être servi dans une parcelle ne l'est pas : même sans "
                "nom, cela vise une personne (article 2). Si quelque chose disparaît de votre "
                "parcelle, parlez-en à la personne qui coordonne votre jardin. Pas de sanction : "
                "c'est une première fois."
            ),
        },
    },
    # The next step of the ladder for the same author: the post is hidden, with a warning.
    {
        "thread": COURGETTES,
        "reply": {
            "author": "marco",
            "days_ago": 19.9,
            "source": (
                "Chocolate cake with courgettes in it. This is exactly the kind of recipe you'd "
                "expect from a retired schoolteacher who spent thirty years eating in a "
                "canteen. Leave the cooking advice to people who can actually cook."
            ),
        },
        "signals": [
            {"by": "camille", "days_ago": 19.85, "articles": [RESPECT]},
            {"by": "helene", "days_ago": 19.8, "articles": [RESPECT]},
        ],
        "decision": {
            "by": "moderatrice",
            "days_ago": 19.6,
            "outcome": "upheld",
            "articles": [RESPECT],
            "action": "hide",
            "sanction": Step(SanctionKind.WARNING),
            "en": (
                "This post mocks a member for her age and her former job instead of discussing "
                "her recipe (article 2), so it is hidden. A warning, because it is the second "
                "time in a few weeks: a note was left on one of your posts in the slug pellets "
                "discussion."
            ),
            "fr": (
                "Ce message se moque d'une membre pour son âge et son ancien métier au lieu de "
                "discuter sa recette (article 2) : il est masqué. Un avertissement, parce que "
                "c'est la deuxième fois en quelques semaines : une note a été laissée sur un de "
                "vos messages dans la discussion sur les granulés anti-limaces."
            ),
        },
    },
    # A suspension overturned on appeal: the number was shared with its owner's consent.
    {
        "thread": TOOL_LIBRARY,
        "reply": {
            "author": "lea_n",
            "days_ago": 21.9,
            "source": (
                "Pour celles et ceux qui cherchent une brouette le week-end : appelez Joseph au "
                "06 39 98 41 27, il passe souvent au cabanon le dimanche matin et il vous "
                "ouvrira."
            ),
        },
        "signals": [{"by": "owen", "days_ago": 21.8, "articles": [PRIVACY]}],
        "claimed": 21.75,
        "decision": {
            "by": "moderatrice",
            "days_ago": 21.7,
            "outcome": "upheld",
            "articles": [PRIVACY],
            "action": "hide",
            "sanction": Step(SanctionKind.SUSPENSION, 3),
            "en": (
                "This post publishes a member's mobile number, with no sign that he agreed "
                "(article 5), so it is hidden. A three-day suspension, because a number posted "
                "on a public forum cannot be taken back once it has been copied."
            ),
            "fr": (
                "Ce message publie le numéro de portable d'un membre, sans rien qui indique son "
                "accord (article 5) : il est masqué. Une suspension de trois jours, car un "
                "numéro publié sur un forum public ne se rattrape plus une fois copié."
            ),
        },
        "appeal": {
            "days_ago": 21.6,
            "en": (
                "Joseph asked me to post his number: he wants borrowers to be able to reach him "
                "at the weekend, and he told me so at the shed on Saturday, in front of Owen. I "
                "should have said so in the post. Please ask him."
            ),
            "fr": (
                "C'est Joseph qui m'a demandé de publier son numéro : il veut qu'on puisse le "
                "joindre le week-end pour les emprunts, il me l'a dit samedi au cabanon, devant "
                "Owen. J'aurais dû le préciser dans le message. Vous pouvez lui demander."
            ),
            "hearing": {
                "by": "moderateur",
                "days_ago": 21.2,
                "outcome": "overturned",
                "en": (
                    "The member whose number this is confirmed that he had asked for it to be "
                    "shared with borrowers: it was posted with his consent, and article 5 was "
                    "not breached. The post is restored and the suspension lifted. Next time, "
                    "say in the post that the person agreed."
                ),
                "fr": (
                    "Le membre dont c'est le numéro nous a confirmé avoir demandé qu'il soit "
                    "transmis aux emprunteurs : il a été publié avec son accord, et l'article 5 "
                    "n'a pas été enfreint. Le message est rétabli et la suspension levée. La "
                    "prochaine fois, indiquez dans le message que la personne est d'accord."
                ),
            },
        },
    },
    # A link that answers the question asked is not advertising.
    {
        "thread": ACCESSIBILITY,
        "post": 5,
        "signals": [{"by": "thomas_b", "days_ago": 9.8, "articles": [NO_ADVERTISING]}],
        "claimed": 9.45,
        "decision": {
            "by": "moderateur",
            "days_ago": 9.4,
            "outcome": "dismissed",
            "articles": [NO_ADVERTISING],
            "en": (
                "No breach. The plans are free, and they answer the question the discussion "
                "asked: article 4 allows a link that answers someone's question."
            ),
            "fr": (
                "Pas de manquement. Les plans sont gratuits et répondent à la question posée "
                "dans la discussion : l'article 4 admet un lien qui répond à une question."
            ),
        },
    },
    # Hidden by the second moderator; the author's appeal awaits Noor (or the admin).
    {
        "thread": OPEN_DAY,
        "reply": {
            "author": "priya",
            "days_ago": 2.95,
            "source": (
                "Also: I'll have jars of my rooftop honey at the buvette, €8 each. You can "
                "pre-order now at https://example.org/priya-honey with the code OPENDAY for 10% "
                "off. Tell your friends!"
            ),
        },
        "signals": [{"by": "owen", "days_ago": 2.8, "articles": [NO_ADVERTISING]}],
        "decision": {
            "by": "moderateur",
            "days_ago": 2.5,
            "outcome": "upheld",
            "articles": [NO_ADVERTISING],
            "action": "hide",
            "en": (
                "Selling your own produce with a pre-order link and a discount code promotes "
                "your own business (article 4), so the post is hidden. No sanction: the honey "
                "can be mentioned without the shop link and the code."
            ),
            "fr": (
                "Vendre sa propre production avec un lien de précommande et un code de "
                "réduction, c'est promouvoir sa propre activité (article 4) : le message est "
                "masqué. Pas de sanction : le miel peut être mentionné sans le lien de la "
                "boutique ni le code."
            ),
        },
        "appeal": {
            "days_ago": 2.2,
            "en": (
                "This isn't my business: all the honey money goes to the association's beehive "
                "fund, and Camille agreed to a honey stand at the open day. The link is the page "
                "where we take pre-orders for the stand. I'm happy to drop the discount code if "
                "that's the problem."
            ),
            "fr": (
                "Ce n'est pas mon activité : tout l'argent du miel va à la caisse des ruches de "
                "l'association, et Camille a accepté un stand de miel à la journée portes "
                "ouvertes. Le lien est la page des précommandes du stand. Je veux bien retirer "
                "le code de réduction si c'est ça le problème."
            ),
            "hearing": None,
        },
    },
    # Open: a single signal citing "other", deferred by one moderator, claimed by nobody.
    {
        "thread": TOMATOES,
        "post": 1,
        "signals": [
            {
                "by": "sam_k",
                "days_ago": 2.0,
                "articles": [],
                "other": {
                    "en": (
                        "Not Owen's fault: the photo link in this post now opens a betting "
                        "site. The photo host must have closed and someone bought the address. "
                        "Could the link be removed?"
                    ),
                    "fr": (
                        "Owen n'y est pour rien : le lien vers les photos ouvre maintenant un site "
                        "de paris en ligne. L'hébergeur a dû fermer et quelqu'un a racheté "
                        "l'adresse. Est-ce qu'on peut retirer le lien ?"
                    ),
                },
            }
        ],
        "deferred": {
            "by": "moderateur",
            "days_ago": 1.6,
            "en": (
                "I can't open the link safely from here: leaving it to someone who can check it "
                "and write to Owen."
            ),
            "fr": (
                "Je ne peux pas ouvrir le lien sans risque d'ici : je le laisse à quelqu'un qui "
                "pourra vérifier et écrire à Owen."
            ),
        },
        "decision": None,
    },
    # Open: three members signalled it, so it is hidden pending review, unclaimed. The decision
    # form suggests the next step of its author's ladder: a one-day suspension.
    {
        "thread": PICNIC,
        "reply": {
            "author": "marco",
            "days_ago": 0.95,
            "source": (
                "Two weeks in and you're already organising picnics? Maybe learn to keep your "
                "plot alive first: plot 15 looked like a hay field when I walked past. Some of "
                "us were gardening here long before you turned up."
            ),
        },
        "signals": [
            {"by": "camille", "days_ago": 0.9, "articles": [RESPECT]},
            {"by": "sam_k", "days_ago": 0.75, "articles": [RESPECT]},
            {"by": "helene", "days_ago": 0.6, "articles": [RESPECT, ON_TOPIC]},
        ],
        "decision": None,
    },
]
