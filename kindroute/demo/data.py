"""The demo's fixed data: schools, staff, pupils' names, and the Dutch texts of notes and agreements.

The staff is the same for every seed, so ``--as "Ingrid Bakker"`` (IB of the first school)
and ``--as "Tom de Wit"`` (a teacher there) always work.
"""

from __future__ import annotations

#: The default route's role ids the demo's staff hold (the demo fills the default route's roles).
ROLE_TEACHER, ROLE_IB, ROLE_DIRECTOR, ROLE_SWV = "leerkracht", "ib", "directeur", "swv"

#: The three demo schools (name, BRIN). The first is Ingrid Bakker's.
SCHOOLS: tuple[tuple[str, str], ...] = (
    ("OBS De Regenboog", "21KL"),
    ("CBS De Wegwijzer", "07PQ"),
    ("IKC Het Kompas", "13XR"),
)

SWV = "SWV Passend Primair Onderwijs Rijn & Vallei"

#: Staff per school: IB, director, and a teacher per group (1..8).
SCHOOL_STAFF: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Ingrid Bakker", "Henk Jansen", (
        "Sanne Visser", "Fatima El Amrani", "Daan Smit", "Lotte van Dijk",
        "Tom de Wit", "Emre Kaya", "Mirjam de Boer", "Joost Mulder",
    )),
    ("Saskia Vermeulen", "Peter van den Berg", (
        "Anouk Hendriks", "Bram Willems", "Nadia Benali", "Kees van Leeuwen",
        "Esra Yıldız", "Wouter Prins", "Femke Bos", "Ricardo Martis",
    )),
    ("Yvonne Hoekstra", "Mohamed Bouzid", (
        "Merel Kuipers", "Ilse de Graaf", "Sevda Arslan", "Bart Scholten",
        "Hanneke van der Veen", "Rachid Amrani", "Jolien Post", "Stefan de Haan",
    )),
)

#: Staff outside the schools: (name, role, organisation).
OUTSIDE_STAFF: tuple[tuple[str, str, str], ...] = (
    ("Marieke Dekker", "so_expert", SWV),
    ("Ruud Bosman", "so_expert", SWV),
    ("Anouk Peters", "plusklas", "Plusklas De Ontdekking"),
    ("Kevin Brouwer", "jeugdhulp", "Wijkteam Noord"),
    ("Naima Ouali", "jeugdhulp", "CJG Centrum"),
    ("Esther Kok", "smw", "Schoolmaatschappelijk werk Vallei"),
    ("Linda Meijer", "ggd", "GGD Regio Rijn & Vallei"),
    ("Jeroen Koster", ROLE_SWV, SWV),
    ("Annemiek Vos", ROLE_SWV, SWV),
    ("drs. Paul Willems", "deskundige", "Orthopedagogenpraktijk Willems"),
    ("Sophie Lammers", "deskundige", "Psychologenpraktijk Lammers"),
)

FIRST_NAMES = (
    # Dutch
    "Daan", "Sem", "Lucas", "Finn", "Levi", "Milan", "Bram", "Luuk", "Jesse", "Thijs", "Noah",
    "Emma", "Julia", "Tess", "Sophie", "Zoë", "Mila", "Sara", "Evi", "Lotte", "Fleur", "Saar", "Nina",
    # Turkish
    "Emir", "Yusuf", "Mert", "Kerem", "Elif", "Zeynep", "Ayşe", "Defne", "Eylül", "Ömer", "Çağla",
    # Moroccan
    "Mohamed", "Adam", "Ayoub", "Ilias", "Rayan", "Noor", "Salma", "Yasmine", "Aya", "Imane", "Hiba",
    # Surinamese / Antillean
    "Jayden", "Shanaya", "Jurvaino", "Djenna", "Giovanni", "Quincy",
    # Polish, Syrian, Eritrean, Ukrainian
    "Jakub", "Zofia", "Omar", "Rania", "Yonas", "Senait", "Oleksandr", "Sofiia",
)

EXTRA_LAST_NAMES = (
    "Yılmaz", "Kaya", "Demir", "Öztürk", "Çelik", "Aydın", "Şahin", "Doğan", "El Amrani", "Bouzid",
    "Benali", "El Idrissi", "Ait Taleb", "Haddou", "Ouali", "Tahiri", "Kromosoeto", "Martina",
    "Nowak", "Kowalska", "Al-Hassan", "Haile", "Tesfay", "Kovalenko", "Bondarenko",
)

PARENT_TITLES = ("moeder", "vader", "moeder", "vader", "verzorger", "ouders")

CONSENT_PURPOSES = {
    "so_expert": "Consultatie, observatie en advies door de SO-expert",
    "plusklas": "Plaatsing in en overdracht met de Plusklas",
    "jeugdhulp": "Toeleiding naar en afstemming met de jeugdhulp (wijkteam/CJG)",
    "smw": "Gesprekken met schoolmaatschappelijk werk en afstemming met school",
    "ggd": "Onderzoek en advies door de jeugdarts van de GGD",
    ROLE_SWV: "Delen van het dossier met het samenwerkingsverband voor de aanvraag",
}

TRIGGER_NOTES: dict[str, tuple[str, ...]] = {
    "naar_aanpak_groep": (
        "Observatie gedaan in rekenles en op het plein; ouders zijn gebeld en herkennen het beeld.",
        "Zorg over technisch lezen: DMT stagneert. Ouders geïnformeerd bij het tienminutengesprek.",
        "Leerling trekt zich terug in de groep en huilt vaker. Ouders weten ervan.",
    ),
    "naar_leerlingbespreking": (
        "Extra instructie aan de verlengde instructietafel helpt onvoldoende; inbrengen bij IB.",
        "Na acht weken aanpak in de groep nog steeds onrust; doelen niet gehaald.",
    ),
    "doel_behaald": (
        "Doelen behaald, ouders tevreden. Dossier afgesloten.",
        "Leesniveau weer op AVI-niveau van de groep; geen extra ondersteuning meer nodig.",
    ),
    "naar_aanpak_school": (
        "Hulpplan opgesteld: twee keer per week RT bij de onderwijsassistent.",
        "Afgesproken: time-outplek en dagkaart; evaluatie over zes weken.",
    ),
    "naar_ondersteuningsteam": (
        "Hulpplan geëvalueerd; basisondersteuning is niet toereikend. Aanmelden voor het OT.",
        "Ouders willen graag meedenken; inbrengen in het ondersteuningsteam.",
    ),
    "naar_consultatie_so_expert": (
        "OT adviseert consultatie door de SO-expert; ouders hebben toestemming gegeven.",
        "Vraag aan SO-expert: observatie in de groep en handelingsadvies voor de leerkracht.",
    ),
    "terug_naar_ondersteuningsteam": (
        "Plan van aanpak van de SO-expert besproken; terug naar het OT voor vervolg.",
    ),
    "naar_opp_opstellen": (
        "OT: leerling heeft een eigen leerlijn nodig voor rekenen; OPP opstellen.",
        "Uitstroomperspectief bijstellen; OPP wordt opgesteld met ouders.",
    ),
    "terug_naar_aanpak_school": (
        "OT ziet voldoende mogelijkheden binnen de basisondersteuning; hulpplan bijgesteld.",
    ),
    "naar_arrangement_aanvraag": (
        "OPP vastgesteld, ouders akkoord met het handelingsdeel. Arrangement aangevraagd bij het SWV.",
    ),
    "naar_plusklas": (
        "OPP vastgesteld; leerling start na de vakantie in de Plusklas.",
    ),
    "arrangement_toegekend": (
        "SWV heeft het arrangement toegekend voor een schooljaar; start uitvoering.",
    ),
    "plusklas_toegekend": (
        "Arrangement toegekend in de vorm van een Plusklasplaatsing.",
    ),
    "arrangement_afgewezen": (
        "SWV wijst de aanvraag af: eerst de basisondersteuning verder benutten. Terug naar het OT.",
    ),
    "naar_evaluatie": (
        "Tussenevaluaties per doel gedaan; evaluatiegesprek met ouders gepland.",
        "Blok afgerond; evaluatie met ouders en leerling.",
    ),
    "arrangement_verlengen": (
        "Doelen deels behaald; ouders en school willen het arrangement verlengen.",
    ),
    "naar_tlv_aanvraag": (
        "Ondanks het arrangement onvoldoende ontwikkeling; TLV voor SBO aanvragen.",
        "Ouders en school zien dat SO beter past; TLV-aanvraag voorbereid.",
    ),
    "tlv_toegekend": (
        "TLV toegekend; leerling start na de herfstvakantie op SBO De Klimop.",
        "TLV SO cat. 1 toegekend; plaatsing geregeld.",
    ),
    "tlv_afgewezen": (
        "TLV afgewezen: commissie vraagt eerst een arrangement. Terug naar het OT.",
    ),
    "heropenen": (
        "Zorgen zijn terug na de zomervakantie; dossier heropend.",
    ),
    "start_jeugdhulp": (
        "In het OT besproken: gezin heeft steun nodig. Met toestemming aangemeld bij het wijkteam.",
    ),
    "jeugdhulp_gestart": (
        "Intake wijkteam gedaan; gezinscoach start volgende week.",
    ),
    "jeugdhulp_afronden": (
        "Jeugdhulp afgerond; afspraken overgedragen aan school en ouders.",
    ),
}

FREE_NOTES = (
    "Gesprek met moeder gehad; thuis gaat het beter sinds de nieuwe dagstructuur.",
    "Leerling gaf zelf aan dat de koptelefoon helpt bij zelfstandig werken.",
    "Resultaten Cito M-toets besproken met ouders.",
    "Vader belde: leerling slaapt slecht, afgesproken om over twee weken te evalueren.",
    "Observatie op het plein: speelt vaker samen met klasgenoten.",
    "Verslag van het oudergesprek toegevoegd aan het dossier in ParnasSys.",
)

AGREEMENTS = (
    ("Verslag van het OT naar ouders sturen", ROLE_IB),
    ("Observatie in de rekenles uitvoeren", ROLE_TEACHER),
    ("Handelingsadviezen bespreken met de leerkracht", "so_expert"),
    ("Evaluatiegesprek met ouders plannen", ROLE_IB),
    ("Dagkaart invoeren en na drie weken evalueren", ROLE_TEACHER),
    ("Contact opnemen met het wijkteam over de gezinssituatie", "smw"),
    ("Gehoortest laten doen bij de jeugdarts", "ggd"),
    ("Overdracht plusklas en groepsleerkracht plannen", "plusklas"),
)

#: How many of the cases stand in each step (relative weights; early steps are busiest).
STEP_WEIGHTS = {
    "signalering": 15, "aanpak_groep": 18, "leerlingbespreking": 8, "aanpak_school": 15,
    "ondersteuningsteam": 8, "consultatie_so_expert": 3, "opp_opstellen": 3,
    "arrangement_aanvraag": 3, "arrangement_uitvoering": 4, "plusklas": 2, "evaluatie": 3,
    "tlv_aanvraag": 2, "verwezen_sbo_so": 2, "afgesloten": 14,
}

#: Shares of the cases: over their deadline, on the jeugdhulp track, with a blocked next
#: step, with the current step's checklist fully ticked.
OVERDUE_SHARE = 0.3
JEUGDHULP_SHARE = 0.3
BLOCK_SHARE = 0.5
TICKED_SHARE = 0.4
