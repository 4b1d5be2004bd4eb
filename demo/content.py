"""Demo content for Palabre: the "Terres Communes" community gardens network.

Pure data, read by the demo loader. Post sources are Markdown. A quote of an
earlier post uses the form ``> **@username** wrote (#N):`` where N is the
1-based number of the quoted post in its thread; the loader turns it into a link.
"""

from __future__ import annotations

MEMBERS: list[dict] = [
    {
        "username": "camille",
        "display_name": "Camille Martin",
        "email": "camille@demo.palabre.test",
        "language": "fr",
        "bio": (
            "Coordinatrice du Jardin des Tilleuls depuis quatre ans. Tomates anciennes, fleurs "
            "comestibles et tableaux bien rangés."
        ),
        "days_ago_joined": 390,
    },
    {
        "username": "helene",
        "display_name": "Hélène Dubois",
        "email": "helene@demo.palabre.test",
        "language": "fr",
        "bio": (
            "Institutrice à la retraite et trésorière de l'association. Je sème tout ce qui se "
            "mange, surtout les légumineuses."
        ),
        "days_ago_joined": 365,
    },
    {
        "username": "thomas_b",
        "display_name": "Thomas Bernard",
        "email": "thomas_b@demo.palabre.test",
        "language": "fr",
        "bio": "Maître composteur bénévole au Jardin du Canal. Si ça pourrit, ça m'intéresse.",
        "days_ago_joined": 310,
    },
    {
        "username": "priya",
        "display_name": "Priya Raman",
        "email": "priya@demo.palabre.test",
        "language": "en",
        "bio": (
            "Plot 9 at the Canal garden and two rooftop beehives. Learning French one seed packet "
            "at a time."
        ),
        "days_ago_joined": 250,
    },
    {
        "username": "joseph",
        "display_name": "Joseph Mensah",
        "email": "joseph@demo.palabre.test",
        "language": "en",
        "bio": (
            "Retired carpenter and tool library volunteer. If it's broken, bring it to the shed "
            "on Saturday."
        ),
        "days_ago_joined": 200,
    },
    {
        "username": "amina",
        "display_name": "Amina Diallo",
        "email": "amina@demo.palabre.test",
        "language": "fr",
        "bio": (
            "Maman de deux apprentis jardiniers, j'anime l'atelier enfants du mercredi au Jardin "
            "des Tilleuls."
        ),
        "days_ago_joined": 180,
    },
    {
        "username": "marco",
        "display_name": "Marco Rossi",
        "email": "marco@demo.palabre.test",
        "language": "en",
        "bio": (
            "Plot 4, Canal garden. I grow my grandfather's Ligurian tomatoes and have strong "
            "opinions about them."
        ),
        "days_ago_joined": 140,
    },
    {
        "username": "owen",
        "display_name": "Owen Gallagher",
        "email": "owen@demo.palabre.test",
        "language": "en",
        "bio": "Software developer, beginner gardener, keeper of the watering rota spreadsheet.",
        "days_ago_joined": 130,
    },
    {
        "username": "lea_n",
        "display_name": "Léa Nguyen",
        "email": "lea_n@demo.palabre.test",
        "language": "fr",
        "bio": (
            "Demi-parcelle au Jardin du Canal après deux ans de liste d'attente. Je pose beaucoup "
            "de questions !"
        ),
        "days_ago_joined": 118,
    },
    {
        "username": "sam_k",
        "display_name": "Sam Kowalski",
        "email": "sam_k@demo.palabre.test",
        "language": "en",
        "bio": (
            "New to the neighbourhood and to plot 15. Balcony tomato veteran, ground-level "
            "beginner."
        ),
        "days_ago_joined": 14,
    },
]

CATEGORIES: list[dict] = [
    {
        "slug": "annonces",
        "name": "Annonces / Announcements",
        "description": (
            "Les nouvelles officielles du bureau et de l'équipe de modération (official news from "
            "the board and the moderation team)."
        ),
        "read_restricted": False,
        "write_restricted": True,
    },
    {
        "slug": "au-jardin",
        "name": "Au jardin / In the garden",
        "description": (
            "Semis, compost, arrosage, maladies et récoltes : toutes les questions de jardinage, "
            "in French or English."
        ),
        "read_restricted": False,
        "write_restricted": False,
    },
    {
        "slug": "vie-associative",
        "name": "Vie associative / Association life",
        "description": (
            "Assemblées générales, charte, tours d'arrosage, outilthèque et projets collectifs du "
            "réseau."
        ),
        "read_restricted": False,
        "write_restricted": False,
    },
    {
        "slug": "bienvenue",
        "name": "Bienvenue / Welcome",
        "description": "Présentez-vous et trouvez vos repères ; newcomers are warmly welcome here.",
        "read_restricted": False,
        "write_restricted": False,
    },
    {
        "slug": "cafe",
        "name": "Le café / Off-topic",
        "description": (
            "Recettes, lectures, photos et bavardages : tout ce qui ne rentre pas ailleurs."
        ),
        "read_restricted": False,
        "write_restricted": False,
    },
    {
        "slug": "moderation",
        "name": "Salle des modérateurs / Moderators' room",
        "description": "Espace de travail réservé à l'équipe de modération (moderation team only).",
        "read_restricted": True,
        "write_restricted": False,
    },
]

THREADS: list[dict] = [
    {
        "category": "annonces",
        "title": "Bienvenue sur le forum — lisez-moi d'abord / Read me first",
        "pinned": True,
        "locked": False,
        "days_ago": 120,
        "posts": [
            (
                "admin",
                (
                    "Bonjour à toutes et à tous, et bienvenue sur le forum de **Terres "
                    "Communes**, le réseau des jardins partagés du quartier !\n"
                    "\n"
                    "Ce forum appartient à ses membres. Quelques repères pour bien démarrer :\n"
                    "\n"
                    "1. **Présentez-vous** dans la catégorie *Bienvenue* : quel jardin, quelle "
                    "parcelle, ce que vous aimez cultiver.\n"
                    "2. **Lisez la [charte de participation](/charter/)**. Elle appartient aux "
                    "membres, qui l'adoptent et la modifient par un vote, et c'est elle qui fait "
                    "foi.\n"
                    "3. **Cherchez avant de poster** : beaucoup de questions (arrosage, compost, "
                    "code du cabanon) ont déjà une réponse.\n"
                    "4. Les annonces officielles du bureau sont publiées ici ; seule l'équipe de "
                    "modération peut y écrire.\n"
                    "\n"
                    "Le forum est bilingue : écrivez en français ou en anglais, comme vous êtes "
                    "le plus à l'aise. Personne ne vous reprochera une faute d'orthographe.\n"
                    "\n"
                    "Bonnes récoltes !"
                ),
            ),
            (
                "moderatrice",
                (
                    "**English version**\n"
                    "\n"
                    "Welcome to the forum of **Terres Communes** (*Common Ground*), our network "
                    "of neighbourhood community gardens!\n"
                    "\n"
                    "- Introduce yourself in *Bienvenue / Welcome*.\n"
                    "- Read the [participation charter](/charter/). It belongs to the members, "
                    "who adopt and amend it by vote.\n"
                    "- Search before posting: many questions already have answers.\n"
                    "- Only the moderation team can post in Announcements.\n"
                    "\n"
                    "Write in French or English, whichever you prefer. If you need a hand with "
                    "the forum, mention me with @moderatrice.\n"
                    "\n"
                    "— Noor, for the moderation team"
                ),
            ),
        ],
    },
    {
        "category": "annonces",
        "title": "Convocation à l'assemblée générale ordinaire",
        "pinned": False,
        "locked": False,
        "days_ago": 40,
        "posts": [
            (
                "admin",
                (
                    "Chères et chers membres,\n"
                    "\n"
                    "L'assemblée générale ordinaire de Terres Communes aura lieu le **samedi 14 "
                    "à 10 h** au Jardin des Tilleuls (repli dans la salle paroissiale en cas de "
                    "pluie).\n"
                    "\n"
                    "**Ordre du jour**\n"
                    "\n"
                    "1. Rapport moral et rapport d'activité\n"
                    "2. Rapport financier, présenté par notre trésorière\n"
                    "3. Proposition de modification de la charte des jardins, article 4 (arrosage "
                    "partagé)\n"
                    "4. Montant de la cotisation\n"
                    "5. Élection de trois membres du conseil\n"
                    "6. Questions diverses\n"
                    "\n"
                    "Seuls les membres à jour de cotisation peuvent voter. Les procurations sont "
                    "possibles, une par personne au maximum : [formulaire de "
                    "procuration](https://example.org/terres-communes/procuration).\n"
                    "\n"
                    "Les questions peuvent être posées à l'avance dans le fil dédié, en *Vie "
                    "associative*.\n"
                    "\n"
                    "Le bureau"
                ),
            ),
            (
                "moderatrice",
                (
                    "**In English:** the general assembly is on **Saturday the 14th at 10 am** "
                    "at Jardin des Tilleuls (parish hall if it rains).\n"
                    "\n"
                    "Agenda: annual reports, budget, the proposed change to garden charter "
                    "article 4 on shared watering, the membership fee, the election of three "
                    "board members, and any other business.\n"
                    "\n"
                    "Only members whose fee is paid can vote, and each member can hold one proxy "
                    "at most. Questions can be posted in advance in the *Association life* "
                    "thread."
                ),
            ),
            (
                "admin",
                (
                    "**Mise à jour / Update :** merci aux 43 personnes présentes et aux 11 "
                    "procurations ! Le compte rendu est en ligne : "
                    "https://example.org/terres-communes/ag-compte-rendu"
                ),
            ),
        ],
    },
    {
        "category": "annonces",
        "title": "The tool library is open! / L'outilthèque est ouverte !",
        "pinned": False,
        "locked": False,
        "days_ago": 25,
        "posts": [
            (
                "admin",
                (
                    "Good news: the **tool library** in the shed at Jardin du Canal is now open "
                    "to all members!\n"
                    "\n"
                    "How it works:\n"
                    "\n"
                    "- Opening hours: Wednesday 6 to 8 pm and Saturday 9 am to noon.\n"
                    "- Borrow up to **3 tools** for up to **7 days**.\n"
                    "- Write your name, the tool and the date in the notebook. That's it, no "
                    "deposit.\n"
                    "- Bring tools back clean. There's a brush and a bucket by the door.\n"
                    "\n"
                    "Volunteers keep the [full "
                    "inventory](https://example.org/terres-communes/outils) up to date.\n"
                    "\n"
                    "Huge thanks to @joseph and the Saturday crew who built the shelves."
                ),
            ),
            (
                "moderatrice",
                (
                    "**En français :** l'outilthèque du Jardin du Canal est ouverte ! Le "
                    "mercredi de 18 h à 20 h et le samedi de 9 h à midi. Jusqu'à **3 outils** "
                    "pour **7 jours** maximum ; on note son nom dans le cahier, pas de caution. "
                    "Merci de rapporter les outils propres.\n"
                    "\n"
                    "Les questions et suggestions, c'est dans le fil des retours, en *Vie "
                    "associative*."
                ),
            ),
        ],
    },
    {
        "category": "annonces",
        "title": "Water cut at Jardin des Tilleuls on Tuesday and Wednesday",
        "pinned": False,
        "locked": False,
        "days_ago": 6,
        "posts": [
            (
                "admin",
                (
                    "The city has told us about work on the water mains: **the water will be off "
                    "at Jardin des Tilleuls on Tuesday and Wednesday**, all day.\n"
                    "\n"
                    "- Fill the barrels and watering cans on Monday evening.\n"
                    "- Mulch your beds well to limit evaporation.\n"
                    "- The Canal garden is not affected, so you can fill cans there if you're "
                    "stuck.\n"
                    "\n"
                    "Thanks for your understanding."
                ),
            ),
            (
                "moderatrice",
                (
                    "*En français :* **l'eau sera coupée au Jardin des Tilleuls mardi et "
                    "mercredi**, toute la journée. Remplissez les récupérateurs et les arrosoirs "
                    "lundi soir, paillez bien vos parcelles, et le robinet du Jardin du Canal "
                    "fonctionne toujours en dépannage."
                ),
            ),
            (
                "admin",
                (
                    "**Update / Mise à jour :** the city confirms the water will be back on "
                    "Wednesday around 5 pm. L'eau revient mercredi vers 17 h."
                ),
            ),
        ],
    },
    {
        "category": "moderation",
        "title": "Fil « limaces » en Au jardin : journal de décision",
        "pinned": False,
        "locked": False,
        "days_ago": 30,
        "posts": [
            (
                "moderatrice",
                (
                    "@admin, pour garder une trace écrite de ce qu'on s'est dit au téléphone.\n"
                    "\n"
                    "Le fil sur les granulés anti-limaces, en *Au jardin*, part en vrille depuis "
                    "hier soir. Deux messages, de Thomas et de Marco, vont clairement à "
                    "l'encontre de l'article 2 de la charte :\n"
                    "\n"
                    "> Nous critiquons les idées, jamais les personnes.\n"
                    "\n"
                    "Décision :\n"
                    "\n"
                    "1. verrouiller le fil avec un message neutre qui renvoie à la charte, sans "
                    "citer de noms ;\n"
                    "2. écrire en privé aux deux, sans sanction : c'est la première fois pour "
                    "chacun ;\n"
                    "3. mettre le sujet (les produits autorisés sur les parcelles) à l'ordre du "
                    "jour du prochain conseil."
                ),
            ),
            (
                "moderatrice",
                (
                    "**Fait :** message posté et fil verrouillé.\n"
                    "\n"
                    "J'ai écrit à Thomas et à Marco. Marco m'a déjà répondu : il s'excuse et "
                    "propose de reformuler son argument plus calmement. Je lui ai dit qu'il "
                    "pourra le faire quand le sujet sera rouvert."
                ),
            ),
            (
                "moderatrice",
                (
                    "**Suivi :** Thomas a répondu aussi, très correctement. Il reconnaît que son "
                    "message visait quelqu'un sans preuve. Rien d'autre à faire de notre côté ; "
                    "le point est bien inscrit à l'ordre du jour du conseil de mardi."
                ),
            ),
        ],
    },
    {
        "category": "moderation",
        "title": "Spam accounts and what to do about open sign-ups",
        "pinned": False,
        "locked": False,
        "days_ago": 9,
        "posts": [
            (
                "moderatrice",
                (
                    "Heads-up: three accounts signed up overnight and posted links to a “garden "
                    "furniture” shop. I've removed the posts and suspended the accounts.\n"
                    "\n"
                    "Options, for @admin and the board:\n"
                    "\n"
                    "- keep registration open, but hold the **first post** of new accounts for "
                    "review;\n"
                    "- require an invitation code handed out at the gardens;\n"
                    "- do nothing and keep cleaning up by hand.\n"
                    "\n"
                    "I lean towards the first one. Invitation codes would put off exactly the "
                    "people we want: neighbours who hear about us at the market."
                ),
            ),
            (
                "moderatrice",
                (
                    "**Update:** the board agreed on option 1 on Tuesday, and review of first "
                    "posts for new accounts is now switched on. I check the queue every evening; "
                    "admin covers weekends.\n"
                    "\n"
                    "I'll draft a short note for members, in both languages, so nobody is "
                    "surprised when their first message waits a few hours before appearing."
                ),
            ),
            (
                "moderatrice",
                (
                    "**One week later:** 9 new accounts, 7 genuine first posts approved (most "
                    "within the hour), 2 spam posts caught in the queue and never published. No "
                    "complaints so far. Let's review again in a month."
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Bourse aux graines de printemps : qui apporte quoi ?",
        "pinned": False,
        "locked": False,
        "days_ago": 110,
        "posts": [
            (
                "camille",
                (
                    "Bonjour à tous !\n"
                    "\n"
                    "La bourse aux graines aura lieu au Jardin des Tilleuls le dernier samedi du "
                    "mois. Pour éviter d'avoir quarante sachets de radis et zéro poivron, je "
                    "propose qu'on recense ici ce que chacun apporte.\n"
                    "\n"
                    "| Variété | Type | Quantité | Apporté par |\n"
                    "|---|---|---|---|\n"
                    "| Tomate 'Cœur de bœuf' | potagère | 15 sachets | Camille |\n"
                    "| Haricot 'Coco de Paimpol' | potagère | 10 sachets | Hélène |\n"
                    "| Courge 'Butternut' | potagère | 8 sachets | Thomas |\n"
                    "| Souci officinal | fleur | beaucoup ! | Amina |\n"
                    "\n"
                    "Complétez en répondant, je mettrai le tableau à jour. Merci de n'apporter "
                    "que des graines **reproductibles** (pas d'hybrides F1) : sinon, la plante "
                    "de l'année suivante ne ressemble pas à celle d'origine."
                ),
            ),
            (
                "priya",
                (
                    "I can bring seeds from my plot. Sorry for writing in English, my French is "
                    "still at the *bonjour, merci* stage!\n"
                    "\n"
                    "- 'Cherokee Purple' tomato, about 12 packets\n"
                    "- Thai basil, lots\n"
                    "- Calendula (I know Amina has it covered, so I'll keep mine for the bees)\n"
                    "\n"
                    "Is there a limit on how many packets one person can take?"
                ),
            ),
            (
                "camille",
                (
                    "> **@priya** wrote (#2):\n"
                    "> Is there a limit on how many packets one person can take?\n"
                    "\n"
                    "No strict limit, but the rule of thumb is “take what you will actually "
                    "sow”. Whatever is left goes into the seed box in the shed for later.\n"
                    "\n"
                    "(And your English is very welcome here, Priya!)"
                ),
            ),
            (
                "marco",
                (
                    "I'll bring 'San Marzano' and 'Costoluto Genovese', from my grandfather's "
                    "line, saved every single year since the seventies. About 10 packets each.\n"
                    "\n"
                    "@camille could we add a column for sowing dates? Newcomers always ask."
                ),
            ),
            (
                "helene",
                (
                    "Bonne idée, Marco. Je peux préparer une petite fiche « calendrier de semis "
                    "» à poser à côté de chaque variété. J'avais fait ça pour l'école, il me "
                    "reste le modèle.\n"
                    "\n"
                    "J'ajoute aussi des **pois gourmands**, 6 sachets."
                ),
            ),
            (
                "camille",
                (
                    "Tableau mis à jour, merci à tous ! La version complète est ici : "
                    "https://example.org/terres-communes/bourse-graines\n"
                    "\n"
                    "Rendez-vous samedi à 10 h. Apportez des enveloppes et un stylo."
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Compost trop humide qui sent mauvais : que faire ?",
        "pinned": False,
        "locked": False,
        "days_ago": 95,
        "posts": [
            (
                "lea_n",
                (
                    "Bonjour,\n"
                    "\n"
                    "Le bac à compost de la parcelle commune (Jardin du Canal) sent franchement "
                    "mauvais depuis deux semaines. C'est humide, un peu collant, et il y a des "
                    "mouches. On y met surtout des épluchures et des tontes de gazon.\n"
                    "\n"
                    "Qu'est-ce qu'on fait de travers ?"
                ),
            ),
            (
                "thomas_b",
                (
                    "Classique ! Trop de matières **vertes** (humides, riches en azote) et pas "
                    "assez de **brunes** (sèches, riches en carbone). Les tontes de gazon en "
                    "couche épaisse, c'est le piège numéro un.\n"
                    "\n"
                    "Ce que je ferais :\n"
                    "\n"
                    "1. Retourner le tas à la fourche pour l'aérer.\n"
                    "2. Ajouter des brunes : feuilles mortes, carton brun déchiré, broyat.\n"
                    "3. Viser à peu près **2 volumes de brun pour 1 volume de vert**.\n"
                    "4. Étaler les tontes en fine couche, ou les laisser sécher avant.\n"
                    "\n"
                    "Il y a un stock de broyat à côté du cabanon, servez-vous."
                ),
            ),
            (
                "lea_n",
                (
                    "> **@thomas_b** wrote (#2):\n"
                    "> Les tontes de gazon en couche épaisse, c'est le piège numéro un.\n"
                    "\n"
                    "Coupable ! On a vidé deux sacs de tonte d'un coup la semaine dernière. Je "
                    "retourne tout ça samedi."
                ),
            ),
            (
                "amina",
                (
                    "Si ça peut aider : avec les enfants de l'atelier du mercredi, on fait le « "
                    "test de la poignée ». On serre une poignée de compost ; s'il coule de "
                    "l'eau, c'est trop mouillé, s'il s'effrite, c'est trop sec. Il doit être "
                    "comme une éponge essorée."
                ),
            ),
            (
                "thomas_b",
                (
                    "@amina excellent, je te le vole pour la formation compost du mois prochain "
                    "😄\n"
                    "\n"
                    "@lea_n tiens-nous au courant !"
                ),
            ),
            (
                "lea_n",
                (
                    "Retour d'expérience : tas retourné samedi, trois brouettes de broyat "
                    "ajoutées, et plus aucune odeur au bout de cinq jours. En plus, le tas "
                    "chauffe ! Merci à vous deux."
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Tomatoes with yellow lower leaves: blight or just thirsty?",
        "pinned": False,
        "locked": False,
        "days_ago": 80,
        "posts": [
            (
                "owen",
                (
                    "First year with tomatoes, and the bottom leaves on three of my plants (plot "
                    "7, Canal garden) are turning yellow, some with brown spots. The tops look "
                    "fine and there are small green fruits.\n"
                    "\n"
                    "Is this blight? Should I pull them before it spreads? Photos here: "
                    "https://example.org/photos/owen-tomatoes"
                ),
            ),
            (
                "marco",
                (
                    "From the photos, it doesn't look like blight to me. Late blight gives "
                    "**dark, greasy-looking patches** that spread very fast, usually after a "
                    "warm wet spell, and it attacks stems and fruit too.\n"
                    "\n"
                    "Yellowing at the bottom with small brown spots is more likely *early "
                    "blight* (a different, milder fungus), or simply old leaves. What I do:\n"
                    "\n"
                    "- remove the lower leaves up to about 30 cm from the ground;\n"
                    "- water at the base, in the morning, never on the leaves;\n"
                    "- mulch, so soil doesn't splash up onto the plant.\n"
                    "\n"
                    "Don't pull them. They'll be fine."
                ),
            ),
            (
                "owen",
                (
                    "> **@marco** wrote (#2):\n"
                    "> water at the base, in the morning, never on the leaves;\n"
                    "\n"
                    "Ah. I've been watering over the top with the hose, in the evening. That "
                    "would explain a lot. Thanks Marco!"
                ),
            ),
            (
                "helene",
                (
                    "Pour compléter ce que dit Marco (sorry, I'll answer in French) : une "
                    "décoction de prêle en prévention marche très bien chez moi. La recette est "
                    "sur le site de l'association : https://example.org/fiches/prele\n"
                    "\n"
                    "En gros : 100 g de prêle sèche pour 1 litre d'eau, on fait bouillir 20 "
                    "minutes, puis on dilue 5 fois avant de pulvériser."
                ),
            ),
            (
                "owen",
                (
                    "Merci Hélène ! I ran it through a translator and I think I got it. I'll try "
                    "the horsetail spray this weekend."
                ),
            ),
            (
                "marco",
                (
                    "Give us an update in two weeks, @owen. And enjoy your first ripe tomato "
                    "when it comes, that's the best moment of the season."
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Granulés anti-limaces : autorisés ou pas sur les parcelles ?",
        "pinned": False,
        "locked": True,
        "days_ago": 31,
        "posts": [
            (
                "thomas_b",
                (
                    "Question sérieuse : est-ce que les granulés anti-limaces au phosphate "
                    "ferrique sont autorisés sur nos parcelles ? Ils sont acceptés en "
                    "agriculture biologique, mais quelqu'un les a retirés de ma parcelle ce "
                    "week-end sans me demander.\n"
                    "\n"
                    "Je n'ai pas envie de perdre encore tous mes semis de laitue."
                ),
            ),
            (
                "priya",
                (
                    "As far as I understand, the garden charter says “no synthetic pesticides” but "
                    "doesn't mention iron phosphate specifically. It's approved for organic "
                    "growing, so technically I think it's allowed.\n"
                    "\n"
                    "That said, I'd much rather we tried beer traps and collecting slugs at "
                    "night first. A hedgehog has been spotted near the Canal garden."
                ),
            ),
            (
                "marco",
                (
                    "Beer traps work for about three days, and then you have a jar of drowned "
                    "slugs and the rest of them eating your lettuces. Some of us are actually "
                    "trying to grow food here, not run a nature reserve."
                ),
            ),
            (
                "thomas_b",
                (
                    "> **@marco** wrote (#3):\n"
                    "> Some of us are actually trying to grow food here\n"
                    "\n"
                    "Exactement. Et à la personne qui s'est servie dans ma parcelle : la "
                    "prochaine fois, aie au moins le courage de venir me parler en face au lieu "
                    "de jouer les justiciers en douce."
                ),
            ),
            (
                "priya",
                (
                    "For the record, I didn't touch anyone's plot. And wanting a hedgehog around "
                    "doesn't mean I'm not “trying to grow food”. I have the same lettuces as "
                    "everyone else."
                ),
            ),
            (
                "moderatrice",
                (
                    "Je verrouille ce fil pour le moment. / *I'm locking this thread for now.*\n"
                    "\n"
                    "La question de départ est légitime et mérite une vraie réponse : **quels "
                    "produits sont autorisés sur les parcelles ?** La charte des jardins n'est "
                    "pas assez précise sur ce point. Le sujet est inscrit à l'ordre du jour du "
                    "prochain conseil, et la discussion reprendra ensuite en *Vie "
                    "associative*.\n"
                    "\n"
                    "En attendant, un rappel de l'article 2 de la charte :\n"
                    "\n"
                    "> Nous critiquons les idées, jamais les personnes.\n"
                    "\n"
                    "*The original question is fair, and the board will discuss it. Meanwhile, "
                    "please keep article 2 of the charter in mind. If something disappeared from "
                    "your plot, talk to your garden coordinator rather than posting accusations.*"
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Rain barrels: how do you keep the mosquitoes out?",
        "pinned": False,
        "locked": False,
        "days_ago": 70,
        "posts": [
            (
                "joseph",
                (
                    "We now have four 200-litre rain barrels at Jardin des Tilleuls, and with "
                    "the warm weather they've turned into mosquito nurseries. The neighbours "
                    "have started to complain.\n"
                    "\n"
                    "What works for you? I'd rather not put anything chemical in water that ends "
                    "up on vegetables."
                ),
            ),
            (
                "owen",
                (
                    "Fine mesh over the top, tied tight with a bungee cord. Mosquito netting "
                    "from the hardware store is about 5 € a metre. The gap around the downpipe "
                    "is where they get in, so wrap that too."
                ),
            ),
            (
                "priya",
                (
                    "+1 for mesh. For barrels that are already full of larvae, *Bti* (a "
                    "bacterium that only affects mosquito and black fly larvae) is allowed in "
                    "organic growing and harmless to plants, birds and bees. One small dose "
                    "every two weeks.\n"
                    "\n"
                    "Also: a film of oil on top is an old trick, but please don't. It's not "
                    "great for the plants, or for the frogs."
                ),
            ),
            (
                "joseph",
                (
                    "> **@owen** wrote (#2):\n"
                    "> The gap around the downpipe is where they get in, so wrap that too.\n"
                    "\n"
                    "That's exactly where our mesh is loose. I'll fix it on Saturday. @priya do "
                    "you know where to buy Bti locally?"
                ),
            ),
            (
                "priya",
                (
                    "The garden centre on the canal side has it: look for tablets labelled "
                    "*anti-larves*. Or I have half a box left, I can leave it in the shed for "
                    "you."
                ),
            ),
            (
                "joseph",
                "Perfect, thanks both. The shed it is.",
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Repiquer les poireaux : quand et comment ?",
        "pinned": False,
        "locked": False,
        "days_ago": 55,
        "posts": [
            (
                "amina",
                (
                    "Mes poireaux semés en caissette ont la taille d'un crayon à papier. C'est "
                    "le moment de les repiquer ? J'ai lu qu'il fallait « habiller » les plants, "
                    "mais je ne sais pas trop ce que ça veut dire."
                ),
            ),
            (
                "helene",
                (
                    "Taille crayon : c'est parfait, vas-y !\n"
                    "\n"
                    "« Habiller » les poireaux, c'est :\n"
                    "\n"
                    "1. couper les racines à environ 2 cm ;\n"
                    "2. raccourcir les feuilles d'un tiers ;\n"
                    "3. poser chaque plant dans un trou fait au plantoir, sans tasser, puis "
                    "remplir le trou d'eau (c'est le *plombage*) : la terre retombe toute "
                    "seule.\n"
                    "\n"
                    "Espace-les de 15 cm sur le rang. Plus le trou est profond, plus tu auras de "
                    "blanc."
                ),
            ),
            (
                "camille",
                (
                    "> **@helene** wrote (#2):\n"
                    "> poser chaque plant dans un trou fait au plantoir, sans tasser, puis "
                    "remplir le trou d'eau (c'est le *plombage*) : la terre retombe toute "
                    "seule.\n"
                    "\n"
                    "Je confirme, c'est magique la première fois. Il y a deux plantoirs à "
                    "l'outilthèque si tu n'en as pas, @amina."
                ),
            ),
            (
                "amina",
                (
                    "Fait hier soir avec ma fille, qui a adoré faire les trous. 60 poireaux en "
                    "place ! Merci Hélène pour les explications, c'était très clair."
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Companion planting: what has actually worked for you?",
        "pinned": False,
        "locked": False,
        "days_ago": 45,
        "posts": [
            (
                "priya",
                (
                    "There's a lot of folklore around companion planting. I'd love to hear what "
                    "has **actually** worked on your plots, not what the books say.\n"
                    "\n"
                    "My own results after three seasons:\n"
                    "\n"
                    "- **Nasturtiums next to beans**: they really do draw the black aphids away. "
                    "Confirmed every year.\n"
                    "- **Marigolds against everything**: no visible effect, but they're pretty, "
                    "so they stay.\n"
                    "- **Basil with tomatoes**: no difference to the tomatoes, but I pick both "
                    "at once for dinner, which counts."
                ),
            ),
            (
                "marco",
                (
                    "Three Sisters (corn, beans, squash) on plot 4 last year. It works, but you "
                    "need more space than you'd think, and the squash had swallowed everything "
                    "by August. I'd only try it again on a double plot."
                ),
            ),
            (
                "owen",
                (
                    "I kept a very nerdy spreadsheet of my carrots with and without onions "
                    "between the rows. Carrot fly damage:\n"
                    "\n"
                    "- with onions: 3 carrots out of 40 damaged\n"
                    "- without: 11 out of 40\n"
                    "\n"
                    "Tiny sample, one season, so take it with a pinch of salt. But I'll keep "
                    "doing it."
                ),
            ),
            (
                "priya",
                (
                    "> **@owen** wrote (#3):\n"
                    "> I kept a very nerdy spreadsheet of my carrots with and without onions "
                    "between the rows.\n"
                    "\n"
                    "Of course you did 😄 Would you share it? If a few of us repeat the "
                    "experiment this year, we'd have a slightly less tiny sample."
                ),
            ),
            (
                "owen",
                (
                    "Sure: https://example.org/owen/carrots-onions\n"
                    "\n"
                    "Make a copy and fill in your own tab. Please keep the same column names "
                    "(`plot`, `variety`, `rows`, `damaged`, `total`) so I can merge everything "
                    "later."
                ),
            ),
            (
                "thomas_b",
                (
                    "Je participe ! Parcelle 12, carottes 'Nantaise' et oignons blancs. Je "
                    "remplirai le tableau en anglais, promis."
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "What do I do with 12 kilos of courgettes?",
        "pinned": False,
        "locked": False,
        "days_ago": 20,
        "posts": [
            (
                "joseph",
                (
                    "My three courgette plants have gone wild. I've picked 12 kilos in two weeks "
                    "and the neighbours no longer open the door when I ring.\n"
                    "\n"
                    "Ideas? Recipes, preserving, giving away..."
                ),
            ),
            (
                "helene",
                (
                    "- Le **gratin** courgettes, feta et menthe, incontournable.\n"
                    "- Les **pickles** de courgettes à l'aigre-doux, qui se gardent un an.\n"
                    "- Le **gâteau au chocolat** à la courgette râpée : les enfants n'y voient "
                    "que du feu.\n"
                    "\n"
                    "Les recettes sont sur le blog de ma fille : "
                    "https://example.org/recettes/courgettes"
                ),
            ),
            (
                "amina",
                (
                    "Et pense au **frigo solidaire** de la maison de quartier ! Ils prennent les "
                    "légumes frais du jardin, il suffit de noter la date de récolte sur une "
                    "étiquette."
                ),
            ),
            (
                "marco",
                (
                    "Slice them, fry them in olive oil until golden, then add garlic, mint and a "
                    "splash of vinegar: *zucchine alla scapece*. You're welcome.\n"
                    "\n"
                    "And pick them smaller! At 15 cm they're much better."
                ),
            ),
            (
                "joseph",
                (
                    "> **@marco** wrote (#4):\n"
                    "> And pick them smaller! At 15 cm they're much better.\n"
                    "\n"
                    "The problem is I always miss one under the leaves, and two days later it's "
                    "a baseball bat. I've dropped 4 kilos at the community fridge, thanks "
                    "@amina! And merci Hélène, the chocolate cake is in the oven."
                ),
            ),
        ],
    },
    {
        "category": "au-jardin",
        "title": "Sowing green manure after the summer crops",
        "pinned": False,
        "locked": False,
        "days_ago": 8,
        "posts": [
            (
                "sam_k",
                (
                    "I've just taken over plot 15 at the Canal garden, and half of it is empty "
                    "after the previous gardener's potatoes. Someone mentioned *green manure*. "
                    "What should I sow now, and will I need to dig it in later?"
                ),
            ),
            (
                "thomas_b",
                (
                    "Welcome Sam! For this time of year:\n"
                    "\n"
                    "- **Phacelia**: fast, bees love it, dies in a hard frost.\n"
                    "- **Crimson clover**: fixes nitrogen, and it's very pretty.\n"
                    "- **Winter rye and vetch**: if you want something that holds the soil all "
                    "winter.\n"
                    "\n"
                    "No need to dig it in. Cut it before it sets seed, leave it on the surface "
                    "as mulch and cover with cardboard for a few weeks. The worms do the digging."
                ),
            ),
            (
                "sam_k",
                (
                    "> **@thomas_b** wrote (#2):\n"
                    "> The worms do the digging.\n"
                    "\n"
                    "Best news I've had all week, my back thanks you. Where do people get seeds "
                    "in small quantities?"
                ),
            ),
            (
                "camille",
                (
                    "Il y a de la phacélie dans la boîte à graines du cabanon (Jardin du Canal, "
                    "étagère du haut). Sers-toi, c'est fait pour ça !\n"
                    "\n"
                    "*There's phacelia in the seed box in the shed, top shelf. Help yourself, "
                    "that's what it's for!*"
                ),
            ),
        ],
    },
    {
        "category": "vie-associative",
        "title": "Tour d'arrosage de l'été : inscriptions",
        "pinned": False,
        "locked": False,
        "days_ago": 60,
        "posts": [
            (
                "camille",
                (
                    "Comme chaque été, on organise un **tour d'arrosage** pour les parcelles "
                    "communes (aromatiques, petits fruits, la mare) et pour les parcelles des "
                    "membres partis en vacances.\n"
                    "\n"
                    "Le principe :\n"
                    "\n"
                    "- une personne par soir, de 19 h à 20 h ;\n"
                    "- on arrose les parcelles communes et celles marquées d'un ruban bleu ;\n"
                    "- on note dans le cahier du cabanon ce qui a été fait.\n"
                    "\n"
                    "Inscrivez-vous en répondant avec vos disponibilités. @owen a proposé de "
                    "faire le planning."
                ),
            ),
            (
                "owen",
                (
                    "Here's a first draft, based on what people told me at the garden. Let me "
                    "know if I've got your days wrong.\n"
                    "\n"
                    "```text\n"
                    "WEEK  MON      TUE      WED      THU   FRI      SAT       SUN\n"
                    "1     camille  joseph   helene   owen  amina    marco     priya\n"
                    "2     lea_n    joseph   helene   owen  amina    thomas_b  priya\n"
                    "3     camille  marco    helene   owen  lea_n    thomas_b  joseph\n"
                    "4     camille  joseph   amina    owen  lea_n    marco     priya\n"
                    "```\n"
                    "\n"
                    "Swaps are fine, just post them here so the sheet stays accurate. The live "
                    "version is at https://example.org/owen/watering-rota (tab `summer-rota`)."
                ),
            ),
            (
                "helene",
                (
                    "Parfait, merci Owen. Une petite correction : la semaine 3, je serai chez ma "
                    "sœur le mercredi. Quelqu'un peut échanger avec moi ? Je prends n'importe "
                    "quel jour de la semaine 4."
                ),
            ),
            (
                "amina",
                (
                    "> **@helene** wrote (#3):\n"
                    "> la semaine 3, je serai chez ma sœur le mercredi.\n"
                    "\n"
                    "Je prends ton mercredi de la semaine 3, et tu prends mon mercredi de la "
                    "semaine 4 ? Comme ça, on reste toutes les deux sur le même jour."
                ),
            ),
            (
                "helene",
                "Marché conclu, merci Amina !",
            ),
            (
                "owen",
                (
                    "Updated. @marco you're down for two Saturdays, is that OK? You said “any "
                    "weekend”, so I took you at your word."
                ),
            ),
            (
                "marco",
                (
                    "That's fine. A Saturday evening at the garden with a glass of something is "
                    "not exactly a hardship."
                ),
            ),
        ],
    },
    {
        "category": "vie-associative",
        "title": "Préparer l'AG : l'article 4 de la charte des jardins (arrosage partagé)",
        "pinned": False,
        "locked": False,
        "days_ago": 35,
        "posts": [
            (
                "helene",
                (
                    "Comme annoncé, voici le fil pour préparer l'AG. Je commence par la "
                    "proposition de modification de l'**article 4**, puisque c'est celle qui "
                    "fait le plus parler.\n"
                    "\n"
                    "Texte actuel :\n"
                    "\n"
                    "> Chaque membre arrose sa parcelle. Les parcelles communes sont arrosées à "
                    "tour de rôle par les volontaires.\n"
                    "\n"
                    "Proposition du conseil :\n"
                    "\n"
                    "> Chaque membre arrose sa parcelle. **Chaque membre s'engage à assurer au "
                    "moins deux soirées d'arrosage commun par été**, ou à se faire remplacer.\n"
                    "\n"
                    "Qu'en pensez-vous ? Les amendements proposés ici seront présentés en séance."
                ),
            ),
            (
                "thomas_b",
                (
                    "Sur le principe, je suis pour : ce sont toujours les mêmes dix personnes "
                    "qui arrosent. Mais « s'engage » sans rien prévoir si on ne le fait pas, ça "
                    "ne changera pas grand-chose."
                ),
            ),
            (
                "joseph",
                (
                    "I'm in favour, but I'd like an exception for members who physically can't "
                    "do it. Some of our older members, or members with disabilities, already "
                    "garden with help. An obligation could push them out.\n"
                    "\n"
                    "Suggested amendment: *“...unless they have informed their garden "
                    "coordinator that they are unable to.”*"
                ),
            ),
            (
                "camille",
                (
                    "> **@joseph** wrote (#3):\n"
                    "> An obligation could push them out.\n"
                    "\n"
                    "Très juste, je soutiens l'amendement de Joseph. Et pour répondre à "
                    "@thomas_b : je préfère un engagement sans sanction. On est une association, "
                    "pas un employeur. Si ça ne marche pas, on en reparlera l'an prochain."
                ),
            ),
            (
                "priya",
                (
                    "Agree with Joseph's amendment. Could the text also say that the rota is "
                    "published in advance? People commit more easily when they can pick their "
                    "dates."
                ),
            ),
            (
                "helene",
                (
                    "Merci à tous. Je présenterai donc en séance :\n"
                    "\n"
                    "1. la proposition du conseil ;\n"
                    "2. l'amendement de Joseph (exception sur simple information du coordinateur "
                    "ou de la coordinatrice) ;\n"
                    "3. l'ajout proposé par Priya : le planning est publié au plus tard le 1er "
                    "juin.\n"
                    "\n"
                    "On votera amendement par amendement, puis sur le texte final."
                ),
            ),
        ],
    },
    {
        "category": "vie-associative",
        "title": "Compte rendu de l'AG et résultats des votes",
        "pinned": False,
        "locked": False,
        "days_ago": 28,
        "posts": [
            (
                "helene",
                (
                    "Voici un compte rendu rapide de l'AG. Le procès-verbal complet sera en "
                    "ligne d'ici une semaine : https://example.org/terres-communes/pv-ag\n"
                    "\n"
                    "**43 membres présents, 11 procurations.**\n"
                    "\n"
                    "| Résolution | Pour | Contre | Abstention |\n"
                    "|---|---|---|---|\n"
                    "| Rapport moral | 52 | 0 | 2 |\n"
                    "| Rapport financier | 50 | 1 | 3 |\n"
                    "| Article 4, avec amendements | 47 | 4 | 3 |\n"
                    "| Cotisation maintenue à 15 € | 54 | 0 | 0 |\n"
                    "\n"
                    "Élu·es au conseil : **Camille Martin**, **Joseph Mensah** et **Amina "
                    "Diallo**. Félicitations !\n"
                    "\n"
                    "Merci à toutes les personnes qui ont préparé le café et les gâteaux."
                ),
            ),
            (
                "camille",
                (
                    "Merci Hélène pour ce compte rendu express, et merci à tous pour votre "
                    "confiance. La première réunion du nouveau conseil a lieu mardi en huit ; "
                    "elle est ouverte aux membres qui souhaitent y assister."
                ),
            ),
            (
                "joseph",
                (
                    "Thank you all. For those who don't read French: the garden charter change on "
                    "shared watering passed with both amendments, the fee stays at 15 €, and "
                    "Amina, Camille and I joined the board.\n"
                    "\n"
                    "I'll do my best not to turn every meeting into a tool library meeting."
                ),
            ),
            (
                "amina",
                (
                    "> **@joseph** wrote (#3):\n"
                    "> I'll do my best not to turn every meeting into a tool library meeting.\n"
                    "\n"
                    "On verra bien 😄 Merci à tous ! Pour moi, les priorités seront les ateliers "
                    "pour les enfants et l'accessibilité des jardins. Les idées sont bienvenues."
                ),
            ),
        ],
    },
    {
        "category": "vie-associative",
        "title": "Tool library: your feedback and wish list",
        "pinned": False,
        "locked": False,
        "days_ago": 22,
        "posts": [
            (
                "joseph",
                (
                    "The tool library has been open for a few days now, and we've already had 12 "
                    "loans! A few things we've learned:\n"
                    "\n"
                    "1. The **wheelbarrows** are never there. We need a 48-hour limit on those.\n"
                    "2. Two pairs of secateurs came back rusty. Please dry them before returning "
                    "them.\n"
                    "3. Nobody has borrowed the soil pH kit. Is that because nobody knows we "
                    "have one?\n"
                    "\n"
                    "What's missing? We have a small budget (about 200 €) for new tools this "
                    "year."
                ),
            ),
            (
                "marco",
                (
                    "A **broadfork**. Nobody buys one for themselves because they're expensive "
                    "and you use them twice a year, which makes it the perfect library tool."
                ),
            ),
            (
                "lea_n",
                (
                    "Je ne savais pas pour le kit pH ! Je l'emprunte samedi. Et je vote pour une "
                    "**grelinette** (c'est le même outil que celui de Marco, mais en français 😉)."
                ),
            ),
            (
                "owen",
                (
                    "Suggestion: a simple online list, so we can check what's available before "
                    "walking over. It doesn't need to be fancy. It could even be a shared CSV "
                    "with one line per tool, with columns like `tool,status,borrower,due_back`.\n"
                    "\n"
                    "I'm happy to set it up."
                ),
            ),
            (
                "joseph",
                (
                    "> **@owen** wrote (#4):\n"
                    "> I'm happy to set it up.\n"
                    "\n"
                    "Yes please! And a broadfork it is: two votes is a landslide by our "
                    "standards. I'll order one this week and put the 48-hour limit on "
                    "wheelbarrows."
                ),
            ),
        ],
    },
    {
        "category": "vie-associative",
        "title": (
            "Une question sur la charte des jardins : peut-on vendre une partie de sa récolte ?"
        ),
        "pinned": False,
        "locked": False,
        "days_ago": 14,
        "posts": [
            (
                "lea_n",
                (
                    "Question un peu délicate : une voisine me propose d'acheter mes surplus de "
                    "tomates pour sa petite épicerie. Est-ce que la charte des jardins le "
                    "permet ? Je n'ai rien trouvé de clair."
                ),
            ),
            (
                "moderatrice",
                (
                    "Bonne question, et merci de la poser ici avant ! L'article 6 de la charte "
                    "des jardins dit :\n"
                    "\n"
                    "> Les récoltes des parcelles individuelles sont destinées à la consommation "
                    "personnelle, au partage et au don. Elles ne font pas l'objet de commerce.\n"
                    "\n"
                    "Donc, en l'état : **non**, la vente n'est pas prévue. En revanche, le don à "
                    "l'épicerie ou un échange, oui.\n"
                    "\n"
                    "Cela dit, la charte des jardins appartient aux membres. Si tu penses que cet "
                    "article devrait évoluer, tu peux proposer une modification au conseil, qui la "
                    "soumettra au vote de la prochaine AG."
                ),
            ),
            (
                "thomas_b",
                (
                    "Personnellement, je trouve que c'est une bonne règle. Les parcelles sont "
                    "prêtées gratuitement par la ville ; ça me gênerait qu'on en tire un revenu, "
                    "même petit."
                ),
            ),
            (
                "camille",
                (
                    "> **@moderatrice** wrote (#2):\n"
                    "> En revanche, le don à l'épicerie ou un échange, oui.\n"
                    "\n"
                    "Pour info, l'épicerie de la rue des Lilas fait déjà des échanges avec le "
                    "Jardin du Canal : des légumes contre le pain de la veille. Ça pourrait "
                    "intéresser ta voisine, @lea_n."
                ),
            ),
            (
                "lea_n",
                (
                    "Super, merci pour ces réponses claires. Je vais lui proposer un échange : "
                    "elle fait des confitures incroyables."
                ),
            ),
        ],
    },
    {
        "category": "vie-associative",
        "title": "Making the gardens accessible: raised beds and better paths",
        "pinned": False,
        "locked": False,
        "days_ago": 10,
        "posts": [
            (
                "joseph",
                (
                    "Following the AG, the board has asked Amina and me to look at "
                    "accessibility. Right now, someone using a wheelchair or a walker can't "
                    "reach most plots: the paths are gravel, there are no raised beds, and the "
                    "tap is behind a step.\n"
                    "\n"
                    "First ideas:\n"
                    "\n"
                    "- two **table-height raised beds** near the gate of each garden;\n"
                    "- a compacted path (not gravel) from the gate to those beds and to the "
                    "tap;\n"
                    "- a tap extension with a lever handle.\n"
                    "\n"
                    "Who has experience with this? Who would use these beds? We'd rather hear "
                    "from you than guess."
                ),
            ),
            (
                "helene",
                (
                    "Moi. Depuis mon opération du genou, je jardine beaucoup moins, parce que me "
                    "baisser est devenu difficile. Un bac surélevé, je le prendrais tout de "
                    "suite.\n"
                    "\n"
                    "Et je connais au moins deux personnes du quartier qui ont arrêté pour la "
                    "même raison."
                ),
            ),
            (
                "amina",
                (
                    "> **@helene** wrote (#2):\n"
                    "> Et je connais au moins deux personnes du quartier qui ont arrêté pour la "
                    "même raison.\n"
                    "\n"
                    "C'est exactement pour ça qu'on veut le faire. Hélène, accepterais-tu de "
                    "tester le premier bac et de nous dire ce qui va et ce qui ne va pas ? "
                    "Hauteur, largeur, tout."
                ),
            ),
            (
                "helene",
                "Avec plaisir !",
            ),
            (
                "owen",
                (
                    "I can help build them. Rules of thumb from the ones I've made: about 80 cm "
                    "high, no more than 120 cm wide if people can reach from both sides, and 60 "
                    "cm if they can only reach from one. Here are the plans I used: "
                    "https://example.org/plans/raised-bed"
                ),
            ),
            (
                "joseph",
                (
                    "Thanks Owen, that's really useful. We'll cost it for the next board meeting "
                    "and post a proposal here."
                ),
            ),
        ],
    },
    {
        "category": "vie-associative",
        "title": "Journée portes ouvertes : on cherche des bénévoles",
        "pinned": False,
        "locked": False,
        "days_ago": 3,
        "posts": [
            (
                "camille",
                (
                    "La journée portes ouvertes du réseau, c'est dans trois semaines ! On a "
                    "besoin de monde :\n"
                    "\n"
                    "- **accueil** à l'entrée de chaque jardin (2 personnes par créneau de 2 h) "
                    ";\n"
                    "- **visites guidées** de 30 minutes ;\n"
                    "- **atelier semis** pour les enfants, avec @amina ;\n"
                    "- **stand compost**, avec @thomas_b ;\n"
                    "- **buvette** (les gâteaux sont bienvenus).\n"
                    "\n"
                    "Répondez ici avec ce que vous voulez faire et vos horaires. Même une heure, "
                    "ça aide !"
                ),
            ),
            (
                "sam_k",
                (
                    "I'm new, but I'm happy to help set up tables in the morning, or to run the "
                    "buvette. I make a decent banana bread."
                ),
            ),
            (
                "thomas_b",
                (
                    "Stand compost, évidemment. J'apporte le lombricomposteur de démonstration : "
                    "les enfants adorent les vers."
                ),
            ),
            (
                "priya",
                (
                    "I'll do guided tours in English at the Canal garden, 2 to 4 pm. And I can "
                    "bring an observation hive if the weather is good. It's sealed, so it's "
                    "completely safe."
                ),
            ),
            (
                "camille",
                (
                    "> **@priya** wrote (#4):\n"
                    "> And I can bring an observation hive if the weather is good.\n"
                    "\n"
                    "Oui, oui, oui ! Ce sera le clou de la journée. Merci à tous, je fais le "
                    "planning et je le poste d'ici dimanche."
                ),
            ),
        ],
    },
    {
        "category": "bienvenue",
        "title": "Présentez-vous ici ! / Introduce yourself here!",
        "pinned": True,
        "locked": False,
        "days_ago": 115,
        "posts": [
            (
                "moderatrice",
                (
                    "Nouveau ou nouvelle sur le forum ? Dites-nous qui vous êtes ! / *New here? "
                    "Tell us about yourself!*\n"
                    "\n"
                    "Quelques idées :\n"
                    "\n"
                    "- dans quel jardin vous êtes (ou aimeriez être) ;\n"
                    "- ce que vous aimez cultiver, ou ce que vous rêvez d'essayer ;\n"
                    "- un savoir-faire que vous pourriez partager (bricolage, cuisine, "
                    "traduction, comptabilité…).\n"
                    "\n"
                    "Pour une présentation plus longue, n'hésitez pas à ouvrir votre propre fil."
                ),
            ),
            (
                "camille",
                (
                    "Je commence ! Camille, coordinatrice du Jardin des Tilleuls depuis quatre "
                    "ans. J'aime les tomates anciennes, les fleurs comestibles et les tableaux "
                    "bien rangés. Je peux aider pour tout ce qui touche à l'organisation."
                ),
            ),
            (
                "priya",
                (
                    "Hi all! Priya, plot 9 at the Canal garden. I keep two beehives on the roof "
                    "of my building, and I'm slowly learning French by reading this forum. Happy "
                    "to talk bees with anyone."
                ),
            ),
            (
                "joseph",
                (
                    "Joseph, Tilleuls garden. Retired carpenter, so if something is broken, I'll "
                    "probably try to fix it. You'll find me at the shed most Saturdays."
                ),
            ),
            (
                "owen",
                (
                    "Owen, plot 7 at the Canal garden. Software developer by day, terrible "
                    "gardener by evening, but improving. I like spreadsheets more than is "
                    "healthy."
                ),
            ),
            (
                "lea_n",
                (
                    "Bonjour ! Léa. Je viens d'obtenir une demi-parcelle au Jardin du Canal "
                    "après deux ans sur la liste d'attente. Je n'y connais presque rien, donc je "
                    "vais poser beaucoup de questions.\n"
                    "\n"
                    "> **@owen** wrote (#5):\n"
                    "> Software developer by day, terrible gardener by evening, but improving.\n"
                    "\n"
                    "Ça me rassure de ne pas être la seule 😄"
                ),
            ),
            (
                "marco",
                (
                    "Marco, plot 4 at the Canal garden. I grow tomatoes, and arguments about "
                    "tomatoes. My grandfather brought his seeds from Liguria in a tobacco tin, "
                    "and I'm still growing them."
                ),
            ),
            (
                "moderatrice",
                (
                    "Merci à tous, quel joli début ! / *Lovely to meet you all.* @lea_n, pose "
                    "toutes les questions que tu veux : c'est exactement à ça que sert ce forum."
                ),
            ),
        ],
    },
    {
        "category": "bienvenue",
        "title": "Hello from a new member at the Canal garden",
        "pinned": False,
        "locked": False,
        "days_ago": 12,
        "posts": [
            (
                "sam_k",
                (
                    "Hi everyone,\n"
                    "\n"
                    "I'm Sam. I moved to the neighbourhood in the spring and I've just been "
                    "given plot 15 at the Canal garden (the one with the very enthusiastic "
                    "mint). I've grown tomatoes on a balcony, but never anything in the ground.\n"
                    "\n"
                    "Two questions:\n"
                    "\n"
                    "1. Is there a key for the shed, or a code?\n"
                    "2. Is it OK to come on weekday mornings, or is there a quiet-hours rule?"
                ),
            ),
            (
                "moderatrice",
                (
                    "Welcome Sam! 🌱\n"
                    "\n"
                    "1. The shed has a code lock. Your garden coordinator gives you the code in "
                    "person (we don't post it online, for obvious reasons). For the Canal "
                    "garden, that's @thomas_b.\n"
                    "2. The gardens are open from 8 am to 9 pm. There's no general quiet rule, "
                    "but the garden charter asks for no power tools before 9 am.\n"
                    "\n"
                    "The pinned thread *Présentez-vous ici* is worth a look, and so is the forum's "
                    "[participation charter](/charter/)."
                ),
            ),
            (
                "thomas_b",
                (
                    "Welcome Sam! I'm at the garden most evenings after 6. Come and find me by "
                    "the compost bins and I'll give you the code and a tour.\n"
                    "\n"
                    "About the mint: pull it out now, or it will own your plot by August."
                ),
            ),
            (
                "sam_k",
                (
                    "> **@thomas_b** wrote (#3):\n"
                    "> About the mint: pull it out now, or it will own your plot by August.\n"
                    "\n"
                    "Noted, the mint war begins tomorrow. Thanks both, see you at the bins!"
                ),
            ),
            (
                "priya",
                "Welcome! And if the mint wins anyway, my bees will be grateful. 😉",
            ),
        ],
    },
    {
        "category": "bienvenue",
        "title": "Comment mieux accueillir les nouveaux jardiniers ?",
        "pinned": False,
        "locked": False,
        "days_ago": 50,
        "posts": [
            (
                "camille",
                (
                    "On a accueilli 14 nouveaux membres depuis le printemps, et plusieurs m'ont "
                    "dit qu'ils s'étaient sentis un peu perdus les premières semaines : où sont "
                    "les outils, qui contacter, quelles sont les règles non écrites…\n"
                    "\n"
                    "Idée : un système de **parrainage**. Chaque nouveau membre serait associé à "
                    "un·e jardinier·e expérimenté·e du même jardin pendant ses deux premiers "
                    "mois.\n"
                    "\n"
                    "Des volontaires ? Des objections ? D'autres idées ?"
                ),
            ),
            (
                "helene",
                (
                    "Très bonne idée. Je me porte volontaire pour le Jardin des Tilleuls. "
                    "J'ajouterais une **fiche d'accueil** d'une page : plan du jardin, contacts, "
                    "horaires, emplacement du compost et du cabanon."
                ),
            ),
            (
                "lea_n",
                (
                    "> **@camille** wrote (#1):\n"
                    "> plusieurs m'ont dit qu'ils s'étaient sentis un peu perdus les premières "
                    "semaines\n"
                    "\n"
                    "C'était mon cas ! J'ai mis trois semaines à comprendre que le broyat était "
                    "en libre-service. Une marraine, j'aurais adoré. Et l'an prochain, je veux "
                    "bien être marraine à mon tour."
                ),
            ),
            (
                "joseph",
                (
                    "Count me in for the Tilleuls garden too. Could we pair people by language "
                    "when possible? Some newcomers speak English, or neither language very well, "
                    "and a first conversation in your own language makes a big difference."
                ),
            ),
            (
                "camille",
                (
                    "Excellente idée, @joseph. Je prépare un petit formulaire d'inscription et "
                    "la fiche d'accueil avec Hélène. Premiers binômes dès la semaine prochaine !"
                ),
            ),
        ],
    },
    {
        "category": "bienvenue",
        "title": "Translating the welcome sheet into more languages",
        "pinned": False,
        "locked": False,
        "days_ago": 40,
        "posts": [
            (
                "priya",
                (
                    "Following up on @camille's mentoring idea: Hélène's welcome sheet is great, "
                    "and I've translated it into English. Draft here: "
                    "https://example.org/terres-communes/welcome-sheet-en\n"
                    "\n"
                    "Could we also get it into some of the other languages spoken in the "
                    "neighbourhood? I know there are Arabic, Portuguese and Vietnamese speakers "
                    "around the gardens.\n"
                    "\n"
                    "Please proofread the English, especially the compost section. I wasn't sure "
                    "how to translate *broyat*, so I went with “wood chips”."
                ),
            ),
            (
                "thomas_b",
                (
                    "*Broyat* is really “shredded prunings”, but “wood chips” is what people "
                    "will understand. Keep it!"
                ),
            ),
            (
                "lea_n",
                (
                    "Ma grand-mère peut relire une version en vietnamien, elle sera ravie de se "
                    "rendre utile. Je lui apporte la fiche dimanche."
                ),
            ),
            (
                "moderatrice",
                (
                    "Je peux faire la version arabe, je la poste ici d'ici une semaine. / *I'll "
                    "do the Arabic version.*"
                ),
            ),
            (
                "priya",
                (
                    "> **@moderatrice** wrote (#4):\n"
                    "> Je peux faire la version arabe, je la poste ici d'ici une semaine.\n"
                    "\n"
                    "Wonderful, thank you Noor! And please thank Léa's grandmother for us. Still "
                    "looking for a Portuguese speaker: could everyone ask around at the gardens?"
                ),
            ),
            (
                "amina",
                (
                    "La maman d'un des enfants de l'atelier du mercredi est brésilienne, je lui "
                    "demande. Elle parle aussi espagnol, si jamais."
                ),
            ),
        ],
    },
    {
        "category": "cafe",
        "title": "Vos recettes de confiture de fin d'été",
        "pinned": False,
        "locked": False,
        "days_ago": 75,
        "posts": [
            (
                "helene",
                (
                    "Cette année, les mûres le long du grillage du Jardin des Tilleuls ont été "
                    "exceptionnelles. J'ai fait 14 pots de confiture et je suis à court d'idées "
                    "originales.\n"
                    "\n"
                    "Ma base, pour 1 kg de fruits :\n"
                    "\n"
                    "1. 700 g de sucre (moins que dans la recette de ma mère) ;\n"
                    "2. le jus d'un citron ;\n"
                    "3. une nuit de macération, puis cuisson à feu vif jusqu'à ce qu'une goutte "
                    "fige sur une assiette froide.\n"
                    "\n"
                    "Vos variantes ?"
                ),
            ),
            (
                "marco",
                (
                    "Fig and walnut, with a tiny bit of rosemary. A spoonful on aged pecorino "
                    "will change your life."
                ),
            ),
            (
                "camille",
                (
                    "Moitié mûres, moitié pommes du verger de la rue Haute. La pomme apporte la "
                    "pectine, la confiture prend beaucoup mieux."
                ),
            ),
            (
                "amina",
                (
                    "Confiture de tomates vertes ! Quand on a trop de tomates qui ne mûriront "
                    "plus en fin de saison, c'est la solution. Avec du gingembre frais, c'est "
                    "délicieux."
                ),
            ),
            (
                "helene",
                (
                    "> **@amina** wrote (#4):\n"
                    "> Confiture de tomates vertes !\n"
                    "\n"
                    "Je n'y avais jamais pensé. Ça tombe bien : @marco aura sûrement des tomates "
                    "vertes à donner en octobre…"
                ),
            ),
            (
                "marco",
                "I will, but only if I get a jar in return. That's the deal.",
            ),
        ],
    },
    {
        "category": "cafe",
        "title": "What are you reading? Garden books, and others",
        "pinned": False,
        "locked": False,
        "days_ago": 50,
        "posts": [
            (
                "owen",
                (
                    "Rainy week, so: what's on your bedside table? Garden-related or not.\n"
                    "\n"
                    "I'm halfway through a book on soil microbiology that is much more exciting "
                    "than it sounds. As far as I can tell, fungi are basically running the "
                    "planet."
                ),
            ),
            (
                "priya",
                (
                    "A beekeeper's memoir, bee nerd that I am. And, to practise my French, a "
                    "children's book my neighbour's son lent me. It's about a snail. I "
                    "understand about 60% of it."
                ),
            ),
            (
                "joseph",
                (
                    "An old woodworking manual from the 1950s that I found at the flea market. "
                    "Half the tools in it don't exist any more, but the joinery is timeless."
                ),
            ),
            (
                "camille",
                (
                    "Moi, je relis un classique sur le *jardin en mouvement* : l'idée de laisser "
                    "les plantes se déplacer et de jardiner *avec* elles plutôt que contre "
                    "elles. Ça m'inspire pour la friche derrière le Jardin des Tilleuls."
                ),
            ),
            (
                "owen",
                (
                    "> **@camille** wrote (#4):\n"
                    "> Moi, je relis un classique sur le *jardin en mouvement* : l'idée de "
                    "laisser les plantes se déplacer et de jardiner *avec* elles plutôt que "
                    "contre elles.\n"
                    "\n"
                    "That sounds like a great idea for the empty lot. Would you run a reading "
                    "group? I'd join, even if I need a dictionary."
                ),
            ),
            (
                "camille",
                (
                    "Pourquoi pas ! Un club de lecture bilingue au jardin, un dimanche par mois, "
                    "avec du thé et des tartes. J'ouvre un fil dès que j'ai une date."
                ),
            ),
        ],
    },
    {
        "category": "cafe",
        "title": "Le hérisson du Jardin du Canal est de retour !",
        "pinned": False,
        "locked": False,
        "days_ago": 18,
        "posts": [
            (
                "thomas_b",
                (
                    "Ce soir vers 21 h, à côté du tas de compost : un hérisson, bien dodu, qui "
                    "ne s'est pas du tout laissé déranger par ma lampe de poche. Photo (floue, "
                    "désolé) : https://example.org/photos/herisson-canal\n"
                    "\n"
                    "@priya, je crois que je te dois un petit mot : il était en train de manger "
                    "une limace."
                ),
            ),
            (
                "priya",
                (
                    "Thomas, this made my week. 🦔 Proof that the slug brigade has "
                    "reinforcements! Thank you for posting it."
                ),
            ),
            (
                "moderatrice",
                "Voilà le genre de fil que j'aime lire le soir. 😊",
            ),
            (
                "marco",
                (
                    "Fine, I admit it: the hedgehog is doing a better job than my beer traps. "
                    "Should we build it a little shelter near the compost?"
                ),
            ),
            (
                "joseph",
                (
                    "> **@marco** wrote (#4):\n"
                    "> Should we build it a little shelter near the compost?\n"
                    "\n"
                    "I have some untreated planks left over from the tool library shelves. I'll "
                    "make a hedgehog house this weekend, with an entrance about 13 cm wide so "
                    "the cats can't get in."
                ),
            ),
        ],
    },
    {
        "category": "cafe",
        "title": "Picnic after Saturday's work party?",
        "pinned": False,
        "locked": False,
        "days_ago": 1,
        "posts": [
            (
                "sam_k",
                (
                    "After the big clean-up on Saturday, is anyone up for a picnic? I'm new, so "
                    "I don't know the good spots. The lawn at the Canal garden, or the park by "
                    "the river?"
                ),
            ),
            (
                "amina",
                (
                    "Le pré derrière le Jardin des Tilleuls ! Il y a de l'ombre sous les "
                    "tilleuls (évidemment) et des tables. Et c'est juste à côté de l'aire de "
                    "jeux, pour les enfants."
                ),
            ),
            (
                "owen",
                "Seconding the Tilleuls meadow. I'll bring a speaker, low volume, promise.",
            ),
            (
                "helene",
                (
                    "Je m'occupe de la citronnade. Et Sam, tu nous avais parlé d'un certain cake "
                    "à la banane…"
                ),
            ),
            (
                "sam_k",
                (
                    "> **@helene** wrote (#4):\n"
                    "> Et Sam, tu nous avais parlé d'un certain cake à la banane…\n"
                    "\n"
                    "My reputation precedes me! Two banana breads it is. See you all on Saturday "
                    "at the Tilleuls meadow."
                ),
            ),
        ],
    },
]
