"""The demo community's participation charter and its amendments, in English and in French.

Pure data, read by the demo loader. The charter, proposal titles and rationales exist in both
languages and the loader takes those of the site's language (LANGUAGE_CODE); replies in the
discussions are in their author's own language, as everywhere else in this bilingual forum.
Times are in days before the demo is loaded, and a quote uses the form of `demo.content`.
"""

from __future__ import annotations

# The category where each amendment is discussed (its slug is CHARTER_CATEGORY_SLUG), listed
# after this one.
CATEGORY_AFTER = "vie-associative"
CATEGORY: dict = {
    "name": "Charte / Charter",
    "description": (
        "Les propositions de modification de la charte, débattues avant leur vote (amendments "
        "to the charter, discussed before they go to the vote)."
    ),
    "read_restricted": False,
    "write_restricted": False,
}

# The provisional charter the admin drafts, put to the founding ballot: (short title, text,
# entrenched). Articles 9 and 10 (the members' rights, the amendment procedure and the voting
# rules) are entrenched.
ARTICLES: dict[str, list[tuple[str, str, bool]]] = {
    "en": [
        (
            "Purpose of the forum",
            "This forum is where the members of Terres Communes share what they know about "
            "gardening, organise the life of the association and welcome newcomers. It "
            "belongs to its members: they adopted this charter by vote, and they amend it the "
            "same way. Everyone who writes here agrees to follow it.",
            False,
        ),
        (
            "Respect",
            "**We criticise ideas, never people.** No insults, mockery, harassment or "
            "discrimination, whatever someone's origin, age, gender, religion, disability or "
            "way of gardening. When you disagree, give your reasons and assume good faith: a "
            "clumsy post is more often written in a hurry than in malice. French and English "
            "are equally welcome here, and nobody is judged on their spelling.",
            False,
        ),
        (
            "Stay on topic",
            "Every discussion is about the gardens, gardening or the life of the association. "
            "Post in the category that fits and keep your replies to the subject of the "
            "discussion; a new question deserves a discussion of its own, where it will be "
            "easier to find. Moderators may move a discussion to a better category, and say so "
            "in it.",
            False,
        ),
        (
            "No spam or advertising",
            "Do not post advertising, commercial offers or promotion of your own business, and "
            "do not repeat the same message across discussions. A link to a shop or a service "
            "is fine when it answers a question someone asked. Accounts created to advertise "
            "are closed.",
            False,
        ),
        (
            "Privacy",
            "Do not publish anyone else's personal data without their consent: address, phone "
            "number, email, a photo in which they can be recognised, or what they told you in "
            "private. The codes of the sheds and gates are never posted. Share as much of your "
            "own life as you wish; moderators remove someone's personal data at their request.",
            False,
        ),
        (
            "Honest sources and no impersonation",
            "Say where information comes from when it matters (a study, a book, a seed "
            "catalogue), and do not present a rumour as a fact. Write from one account, under "
            "your name or a pseudonym, and never pretend to be someone else, the board or the "
            "moderation team. Quoting is welcome; passing off someone else's words as your own "
            "is not.",
            False,
        ),
        (
            "Moderation",
            "Any member may signal a post that breaches this charter, naming the article it "
            "breaches. Moderators decide each case by citing the article concerned and "
            "explaining their decision in writing. Every decision is recorded in the public "
            "moderation journal; the author of the post is told the outcome, and those who "
            "signalled it are never named. Sanctions are graduated, from a warning to a ban, "
            "according to how serious and how repeated the breaches are.",
            False,
        ),
        (
            "Appeals",
            "The author of a post may appeal a decision on it once, with a statement, within "
            "the time set by the procedural parameters. Another moderator, who neither took "
            "the decision nor signalled the post, hears the appeal and confirms or overturns "
            "the decision, with written reasons. An overturned decision restores the post and "
            "lifts the sanction, and the reversal is recorded in the journal too.",
            False,
        ),
        (
            "Members' rights",
            "Every member may read this charter, its history, the results of its ballots and "
            "the moderation journal. Every member may propose and co-sponsor amendments and, "
            "once eligible, vote on them; the vote is secret, and no one, administrators "
            "included, can find out how a member voted. No one is sanctioned without a "
            "decision that cites this charter and gives its reasons, and every such decision "
            "may be appealed. No administrator or moderator may change a ratified charter "
            "other than by the amendment procedure.",
            True,
        ),
        (
            "Amending this charter",
            "Any eligible member may propose to add, change or remove articles or procedural "
            "parameters, with a rationale. A proposal that finds enough co-sponsors in time is "
            "debated in a discussion of its own, during which its author may revise it; its "
            "text is then frozen and put to a secret ballot. Members may vote once they have "
            "been members long enough, if they are not suspended and have accepted the charter "
            "in force. An amendment passes when turnout reaches the quorum and the yes votes "
            "reach the required majority of yes and no votes; one that touches this article, "
            "the members' rights or a procedural parameter needs the higher quorum and "
            "majority set for entrenched articles.\n\n"
            "The numbers of this procedure (co-sponsors, time limits, length of membership, "
            "quorums and majorities) are the **procedural parameters** published with this "
            "charter, and they change only by amendment.",
            True,
        ),
    ],
    "fr": [
        (
            "Objet du forum",
            "Ce forum est le lieu où les membres de Terres Communes partagent leurs savoirs de "
            "jardinage, organisent la vie de l'association et accueillent les nouveaux venus. "
            "Il appartient à ses membres : ils ont adopté cette charte par un vote, et ils la "
            "modifient de la même façon. Toute personne qui écrit ici s'engage à la respecter.",
            False,
        ),
        (
            "Respect",
            "**Nous critiquons les idées, jamais les personnes.** Pas d'insultes, de moqueries, "
            "de harcèlement ni de discrimination, quels que soient l'origine, l'âge, le genre, "
            "la religion, le handicap ou la façon de jardiner de chacun. Quand vous n'êtes pas "
            "d'accord, argumentez et présumez la bonne foi : un message maladroit est plus "
            "souvent écrit dans la hâte que par malveillance. Le français et l'anglais sont "
            "également bienvenus ici, et personne n'est jugé sur son orthographe.",
            False,
        ),
        (
            "Rester dans le sujet",
            "Chaque discussion porte sur les jardins, le jardinage ou la vie de l'association. "
            "Publiez dans la catégorie qui convient et gardez vos réponses dans le sujet de la "
            "discussion ; une nouvelle question mérite sa propre discussion, où elle sera plus "
            "facile à retrouver. Les modérateurs peuvent déplacer une discussion vers une "
            "catégorie plus adaptée, en l'indiquant dans la discussion.",
            False,
        ),
        (
            "Ni spam ni publicité",
            "Ne publiez ni publicité, ni offre commerciale, ni promotion de votre propre "
            "activité, et ne répétez pas le même message dans plusieurs discussions. Un lien "
            "vers une boutique ou un service est admis s'il répond à une question posée. Les "
            "comptes créés pour faire de la publicité sont fermés.",
            False,
        ),
        (
            "Vie privée",
            "Ne publiez pas les données personnelles d'autrui sans son accord : adresse, numéro "
            "de téléphone, adresse électronique, photo où la personne est reconnaissable, ou ce "
            "qu'elle vous a confié en privé. Les codes des cabanons et des portails ne sont "
            "jamais publiés. Parlez de votre propre vie autant que vous le souhaitez ; les "
            "modérateurs retirent les données personnelles d'une personne à sa demande.",
            False,
        ),
        (
            "Sources honnêtes, pas d'usurpation d'identité",
            "Indiquez d'où vient une information quand cela compte (une étude, un livre, un "
            "catalogue de semences), et ne présentez pas une rumeur comme un fait. Écrivez "
            "avec un seul compte, sous votre nom ou un pseudonyme, et ne vous faites jamais "
            "passer pour quelqu'un d'autre, pour le conseil d'administration ou pour l'équipe "
            "de modération. Citer est bienvenu ; faire passer les mots d'autrui pour les siens "
            "ne l'est pas.",
            False,
        ),
        (
            "Modération",
            "Tout membre peut signaler un message qui enfreint cette charte, en indiquant "
            "l'article enfreint. Les modérateurs tranchent chaque cas en citant l'article "
            "concerné et en motivant leur décision par écrit. Chaque décision est inscrite au "
            "journal public de modération ; l'auteur du message est informé de l'issue, et les "
            "personnes qui l'ont signalé ne sont jamais nommées. Les sanctions sont graduées, "
            "de l'avertissement à l'exclusion, selon la gravité et la répétition des "
            "manquements.",
            False,
        ),
        (
            "Recours",
            "L'auteur d'un message peut faire appel une fois d'une décision qui le concerne, "
            "avec une déclaration, dans le délai fixé par les paramètres de procédure. Un autre "
            "modérateur, qui n'a ni pris la décision ni signalé le message, examine l'appel et "
            "confirme ou annule la décision en la motivant par écrit. Une décision annulée "
            "rétablit le message et lève la sanction, et cette annulation est elle aussi "
            "inscrite au journal.",
            False,
        ),
        (
            "Droits des membres",
            "Tout membre peut lire cette charte, son historique, les résultats de ses scrutins "
            "et le journal de modération. Tout membre peut proposer et co-parrainer des "
            "modifications et, une fois éligible, voter sur elles ; le vote est secret, et "
            "personne, pas même les administrateurs, ne peut savoir comment un membre a voté. "
            "Nul n'est sanctionné sans une décision qui cite cette charte et en donne les "
            "motifs, et toute décision de ce type peut faire l'objet d'un recours. Aucun "
            "administrateur ni modérateur ne peut modifier une charte ratifiée autrement que "
            "par la procédure de modification.",
            True,
        ),
        (
            "Modifier cette charte",
            "Tout membre éligible peut proposer d'ajouter, de modifier ou de supprimer des "
            "articles ou des paramètres de procédure, en exposant ses motifs. Une proposition "
            "qui réunit à temps assez de co-parrains est débattue dans sa propre discussion, "
            "pendant laquelle son auteur peut la réviser ; son texte est ensuite figé et soumis "
            "à un scrutin secret. Peut voter tout membre inscrit depuis assez longtemps, non "
            "suspendu et ayant accepté la charte en vigueur. Une modification est adoptée si la "
            "participation atteint le quorum et si les « oui » atteignent la majorité requise "
            "des « oui » et des « non » ; une modification qui touche cet article, les droits "
            "des membres ou un paramètre de procédure requiert le quorum et la majorité plus "
            "élevés fixés pour les articles renforcés.\n\n"
            "Les nombres de cette procédure (co-parrains, délais, ancienneté, quorums et "
            "majorités) sont les **paramètres de procédure** publiés avec cette charte, et ils "
            "ne changent que par une modification adoptée.",
            True,
        ),
    ],
}

# The founding ballot: opened by the admin, closed at its deadline 14 days later. Those not
# listed (marco, lea_n) did not vote.
FOUNDING_DAYS_AGO = 59
FOUNDING_VOTES: dict[str, str] = {
    "admin": "yes",
    "moderatrice": "yes",
    "camille": "yes",
    "helene": "yes",
    "priya": "yes",
    "joseph": "yes",
    "amina": "yes",
    "thomas_b": "no",
    "owen": "abstain",
}

# Amendments, oldest first. `changes` name articles by their number in the version amended;
# an addition gives its position. `sponsors` co-sponsor at the days given; the last one needed
# opens the discussion, where `replies` follow, each `hours` after the opening post. A proposal
# with `votes` goes to its ballot at the end of its discussion; `closed` ones are counted.
PROPOSALS: list[dict] = [
    {
        "author": "marco",
        "days_ago": 40,
        "sponsors": [("priya", 39), ("amina", 38), ("joseph", 37)],
        "en": {
            "title": "Make room for off-topic conversation in the café",
            "rationale": (
                "Article 3 says that every discussion is about the gardens, gardening or the "
                "association. Yet we have a café category where members swap jam recipes and "
                "book tips, and nobody wants those discussions moved or hidden as off topic.\n"
                "\n"
                "This amendment says where off-topic conversation belongs, rather than "
                "pretending it does not happen. It also gives moderators a clear place to move "
                "chatty threads to."
            ),
        },
        "fr": {
            "title": "Faire une place au hors sujet dans « Le café »",
            "rationale": (
                "L'article 3 dit que chaque discussion porte sur les jardins, le jardinage ou "
                "l'association. Nous avons pourtant une catégorie « Le café » où les membres "
                "échangent recettes de confiture et idées de lecture, et personne ne souhaite "
                "voir ces discussions déplacées ou masquées pour hors sujet.\n"
                "\n"
                "Cette modification dit où le hors sujet a sa place, au lieu de faire comme "
                "s'il n'existait pas. Elle donne aussi aux modérateurs un endroit clair où "
                "déplacer les discussions qui dérivent."
            ),
        },
        "changes": [
            {
                "action": "change",
                "article": 3,
                "en": (
                    "Stay on topic",
                    "Post in the category that fits and keep your replies to the subject of "
                    "the discussion; a new question deserves a discussion of its own, where it "
                    "will be easier to find. Conversation unrelated to the gardens or the "
                    "association is welcome in the off-topic category (*Le café*), and only "
                    "there. Moderators may move a discussion to a better category, and say so "
                    "in it.",
                ),
                "fr": (
                    "Rester dans le sujet",
                    "Publiez dans la catégorie qui convient et gardez vos réponses dans le sujet "
                    "de la discussion ; une nouvelle question mérite sa propre discussion, où "
                    "elle sera plus facile à retrouver. Les conversations sans rapport avec les "
                    "jardins ou l'association sont les bienvenues dans la catégorie hors sujet "
                    "(*Le café*), et seulement là. Les modérateurs peuvent déplacer une "
                    "discussion vers une catégorie plus adaptée, en l'indiquant dans la "
                    "discussion.",
                ),
            }
        ],
        "parameters": {},
        "replies": [
            (
                "camille",
                9,
                "Bonne idée. Le café existe depuis le début et personne ne s'est jamais plaint "
                "d'y lire autre chose que du compost : autant que la charte dise ce que nous "
                "faisons déjà.",
            ),
            (
                "thomas_b",
                30,
                "Je suis plus réservé. Si le hors sujet est permis quelque part, il finira par "
                "déborder partout. Cela dit, le « et seulement là » me rassure un peu.",
            ),
            (
                "priya",
                41,
                "> **@thomas_b** wrote (#3):\n"
                "> Cela dit, le « et seulement là » me rassure un peu.\n"
                "\n"
                "That is exactly the point of it: moderators get a clear place to move a chatty "
                "thread to, instead of an argument about what counts as gardening.",
            ),
        ],
        "votes": {
            "marco": "yes",
            "priya": "yes",
            "amina": "yes",
            "joseph": "yes",
            "camille": "yes",
            "owen": "yes",
            "thomas_b": "no",
            "helene": "abstain",
        },
        "closed": True,
    },
    {
        "author": "helene",
        "days_ago": 12,
        "sponsors": [("owen", 11), ("priya", 10), ("thomas_b", 9)],
        "en": {
            "title": "Shorten the discussion before a ballot from 7 to 5 days",
            "rationale": (
                "Our first amendment said everything it had to say in its first four days of "
                "discussion; the last three were silent, and everyone simply waited for the "
                "ballot.\n"
                "\n"
                "Five days still include a weekend, so everyone can take part, and decisions "
                "reach the vote sooner. The ballot itself keeps its seven days. As this changes "
                "a procedural parameter, it needs the entrenched quorum and majority."
            ),
        },
        "fr": {
            "title": "Raccourcir la discussion avant le scrutin de 7 à 5 jours",
            "rationale": (
                "Notre première modification avait tout dit au bout de quatre jours de "
                "discussion ; les trois derniers jours ont été silencieux, et tout le monde a "
                "simplement attendu le scrutin.\n"
                "\n"
                "Cinq jours comprennent toujours un week-end, chacun peut donc participer, et "
                "les décisions arrivent plus vite au vote. Le scrutin garde ses sept jours. "
                "Comme elle change un paramètre de procédure, cette modification requiert le "
                "quorum et la majorité renforcés."
            ),
        },
        "changes": [],
        "parameters": {"discussion_days": 5},
        "replies": [
            (
                "joseph",
                20,
                "Five days is plenty for most of us, but August is August: half the network is "
                "away. If this passes, could we agree not to put amendments forward in the "
                "middle of the summer holidays?",
            ),
            (
                "owen",
                26,
                "> **@joseph** wrote (#2):\n"
                "> If this passes, could we agree not to put amendments forward in the middle "
                "of the summer holidays?\n"
                "\n"
                "Fair point, and easy to agree on. The discussion stays readable after it "
                "closes, and the ballot still lasts a full week, so anyone back from holiday "
                "can still vote.",
            ),
        ],
        # Votes cast so far: the ballot is open. The demo login (camille) has not voted.
        "votes": {
            "helene": "yes",
            "owen": "yes",
            "priya": "yes",
            "joseph": "no",
            "thomas_b": "abstain",
        },
        "closed": False,
    },
    {
        "author": "owen",
        "days_ago": 3,
        "sponsors": [("priya", 2.8), ("lea_n", 2.5), ("helene", 2.2)],
        "en": {
            "title": "Add an article on AI-generated content",
            "rationale": (
                "More and more of us use chatbots to answer questions or to translate our "
                "posts. That is fine, but a confident, wrong answer about a plant disease or a "
                "product can cost someone their harvest.\n"
                "\n"
                "This new article asks members to say when a post comes mainly from an AI tool, "
                "and to check advice before posting it. Using a translation tool to write in "
                "the other language stays welcome."
            ),
        },
        "fr": {
            "title": "Ajouter un article sur les contenus générés par IA",
            "rationale": (
                "Nous sommes de plus en plus nombreux à utiliser des assistants conversationnels "
                "pour répondre aux questions ou traduire nos messages. C'est très bien, mais une "
                "réponse assurée et fausse sur une maladie des plantes ou un produit peut coûter "
                "une récolte.\n"
                "\n"
                "Ce nouvel article demande d'indiquer quand un message vient principalement "
                "d'un outil d'IA, et de vérifier un conseil avant de le publier. Utiliser un "
                "outil de traduction pour écrire dans l'autre langue reste bienvenu."
            ),
        },
        "changes": [
            {
                "action": "add",
                "position": 7,
                "en": (
                    "AI-generated content",
                    "Say so when a post, an image or an answer comes mainly from an AI tool. "
                    "Check gardening advice produced by such a tool before you post it, and "
                    "cite where it can be verified, as for any other source. Using a "
                    "translation tool to write in French or English is welcome and needs no "
                    "mention.",
                ),
                "fr": (
                    "Contenus générés par IA",
                    "Indiquez quand un message, une image ou une réponse vient principalement "
                    "d'un outil d'IA. Vérifiez un conseil de jardinage produit par un tel outil "
                    "avant de le publier, et citez où le vérifier, comme pour toute autre "
                    "source. Utiliser un outil de traduction pour écrire en français ou en "
                    "anglais est bienvenu et n'a pas à être signalé.",
                ),
            }
        ],
        "parameters": {},
        "replies": [
            (
                "thomas_b",
                5,
                "D'accord sur le fond. Mais comment la modération saura-t-elle qu'un message "
                "vient d'une IA ? Je ne voudrais pas qu'on se mette à soupçonner tous les "
                "messages bien écrits.",
            ),
            (
                "priya",
                11,
                "As someone who runs some of her French posts through a translator: thank you "
                "for the last sentence! @thomas_b, I read the article as a matter of honesty, "
                "like article 6 on sources. The point is to say it, not to police it.",
            ),
            (
                "moderatrice",
                22,
                "Côté modération, nous n'essaierons pas de deviner. Nous interviendrons "
                "seulement sur signalement, comme pour le reste de la charte, et un conseil "
                "faux sera d'abord traité comme une erreur à corriger, pas comme une faute.\n"
                "\n"
                "@owen, le mot « principalement » me semble important : il évite de viser la "
                "simple correction orthographique. Je le garderais tel quel.",
            ),
            (
                "owen",
                30,
                "Thanks, Noor. Yes, “mainly” is deliberate: a spell checker or a translator is "
                "not what this is about. Unless someone finds a better wording before the "
                "discussion ends, I will leave the text as it is.",
            ),
        ],
        "votes": None,
        "closed": False,
    },
    {
        "author": "amina",
        "days_ago": 1.5,
        "sponsors": [("joseph", 1)],
        "en": {
            "title": "Allow members to announce free neighbourhood events",
            "rationale": (
                "Read strictly, article 4 forbids announcing the primary school's garden fête "
                "or the free repair café of the neighbourhood association. These events are "
                "close to what we do, and members want to hear about them.\n"
                "\n"
                "This amendment lets a member announce such an event once, in the café. "
                "Commercial advertising stays forbidden."
            ),
        },
        "fr": {
            "title": "Permettre d'annoncer les événements gratuits du quartier",
            "rationale": (
                "À la lettre, l'article 4 interdit d'annoncer la fête du jardin de l'école "
                "primaire ou le café réparation gratuit de l'association de quartier. Ces "
                "événements sont proches de ce que nous faisons, et les membres veulent en "
                "entendre parler.\n"
                "\n"
                "Cette modification permet à un membre d'annoncer un tel événement, une fois, "
                "dans « Le café ». La publicité commerciale reste interdite."
            ),
        },
        "changes": [
            {
                "action": "change",
                "article": 4,
                "en": (
                    "No spam or advertising",
                    "Do not post advertising, commercial offers or promotion of your own "
                    "business, and do not repeat the same message across discussions. A link "
                    "to a shop or a service is fine when it answers a question someone asked. "
                    "A member may announce a free event held in the neighbourhood by a school "
                    "or a non-profit, once, in the off-topic category (*Le café*). Accounts "
                    "created to advertise are closed.",
                ),
                "fr": (
                    "Ni spam ni publicité",
                    "Ne publiez ni publicité, ni offre commerciale, ni promotion de votre "
                    "propre activité, et ne répétez pas le même message dans plusieurs "
                    "discussions. Un lien vers une boutique ou un service est admis s'il répond "
                    "à une question posée. Un membre peut annoncer une fois, dans la catégorie "
                    "hors sujet (*Le café*), un événement gratuit organisé dans le quartier par "
                    "une école ou une association. Les comptes créés pour faire de la publicité "
                    "sont fermés.",
                ),
            }
        ],
        "parameters": {},
        "replies": [],
        "votes": None,
        "closed": False,
    },
]
