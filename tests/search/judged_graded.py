"""A judged set for comparing ranking across the search backends (engine, PostgreSQL, SQLite).

Forty-seven invented documents of the kinds search holds (practices, briefings and their
recommendations, events and their sessions) about managing registered sex offenders, and the
queries a practitioner would type, each with graded judgements: 2 = what the searcher wants,
1 = partly relevant, anything unlisted = 0. The queries include typos, other word forms than the
documents use (plurals, verbs), quoted phrases (one with a stop word inside), acronyms, longer
multi-word questions, and known-item queries: the words of one record's title, where a record
sharing most of them must not come first. Used by ``test_ranking_judged.py`` and
``bench/ranking.py``.
"""

# id: (title, summary, description, topic names). Practices; the description is their body.
PRACTICES = {
    "arms-qa": (
        "ARMS assessment quality assurance panel",
        "A monthly panel reviews a sample of ARMS assessments and gives feedback to assessors.",
        "Supervisors check the scoring of the Active Risk Management System against the national "
        "guidance and record what each assessor should change.",
        ["ARMS practice"],
    ),
    "arms-training": (
        "Joint ARMS training for police and probation",
        "Police and probation staff learn the ARMS assessment together in mixed groups.",
        "Two days of case studies led by trainers from both services, with a scored practice "
        "assessment at the end.",
        ["Training", "ARMS practice"],
    ),
    "arms-change": (
        "Reassessing risk after a change in circumstances",
        "Offender managers repeat the ARMS assessment when relationships, housing or work change.",
        "A short trigger list tells officers which changes call for a fresh assessment before the "
        "annual review is due.",
        ["ARMS practice", "Risk"],
    ),
    "joint-visits": (
        "Joint police and probation home visits",
        "Police offender managers and probation officers visit registered offenders together.",
        "Visits are planned jointly, one officer leads the conversation, and notes are shared the "
        "same day.",
        ["Home visits", "Joint police–probation working"],
    ),
    "unannounced-visits": (
        "Unannounced visit scheduling tool",
        "A spreadsheet tool that spreads unannounced home visits across the month.",
        "The tool flags overdue visits and randomises the day and time so that an offender cannot "
        "predict when officers will call.",
        ["Home visits"],
    ),
    "lone-working": (
        "Lone working safety on home visits",
        "Officers visiting offenders alone check in with the control room before and after.",
        "A personal alarm, a shared calendar of visits and a code word for calling for help.",
        ["Home visits"],
    ),
    "mappa-checklist": (
        "MAPPA level 2 meeting preparation checklist",
        "A checklist so every agency arrives at the MAPPA meeting with current information.",
        "Chairs circulate the checklist ten days before each level 2 meeting; agencies return it "
        "with their updates two days before.",
        ["MAPPA"],
    ),
    "mappa-minutes": (
        "Recording MAPPA minutes and actions",
        "A minute template that names an owner and a date for every action agreed at MAPPA.",
        "The MAPPA coordinator chases actions that pass their date and reports them to the chair.",
        ["MAPPA"],
    ),
    "rmp-template": (
        "Risk management plan template for registered sex offenders",
        "A plan built on the four pillars: supervision, monitoring and control, interventions and "
        "victim safety planning.",
        "Each pillar lists the measures in place and who owns them, and the plan is reviewed "
        "after every ARMS assessment.",
        ["Risk"],
    ),
    "rmp-peer-review": (
        "Peer review of risk management plans",
        "Offender managers review each other's risk management plans every quarter.",
        "A short template guides the review and captures learning for the team.",
        ["Risk", "Reviews"],
    ),
    "device-monitoring": (
        "Digital device monitoring for online offenders",
        "Monitoring software on offenders' computers and phones, with consent conditions.",
        "Alerts reach the offender manager when prohibited content or contact with children is "
        "attempted on a monitored device.",
        ["Online offending", "Risk"],
    ),
    "indecent-images": (
        "Managing people convicted of online offences",
        "Supervising offenders convicted of downloading indecent images of children.",
        "Internet use conditions in sexual harm prevention orders, checks of devices and the risk "
        "of moving to contact offending.",
        ["Online offending"],
    ),
    "polygraph": (
        "Polygraph examinations as a licence condition",
        "Polygraph tests help probation manage sex offenders on licence.",
        "Examiners, disclosures made during testing and how they inform risk management plans.",
        ["Court orders", "Risk"],
    ),
    "disclosure-scheme": (
        "Child sex offender disclosure scheme handling",
        "How applications under the disclosure scheme are assessed and answered.",
        "Decision-making, safeguarding advice for the applicant and recording of every "
        "disclosure.",
        ["Disclosure"],
    ),
    "media-protocol": (
        "Media handling protocol for community disclosure",
        "A protocol agreed with press officers for when a disclosure becomes public.",
        "It covers statements, social media monitoring and support for families.",
        ["Disclosure", "Communication and media"],
    ),
    "shpo-breach": (
        "Sexual harm prevention order breach toolkit",
        "How to evidence a breach of an SHPO and take it to court quickly.",
        "Templates for statements, exhibits and charging advice when an order is breached.",
        ["Court orders"],
    ),
    "notification-letters": (
        "Notification requirements reminder letters",
        "Offenders receive a letter before each periodic notification falls due.",
        "The letter sets out what must be notified and where, cutting missed notifications.",
        ["Notification requirements"],
    ),
    "port-checks": (
        "Foreign travel checks at ports",
        "Port officers check notified foreign travel against ViSOR before departure.",
        "Offenders who go abroad without notifying are stopped at the port and reported.",
        ["Travel"],
    ),
    "desistance": (
        "Desistance-focused supervision sessions",
        "Supervision built on strengths and desistance, alongside risk management.",
        "Sessions set goals for work, relationships and accommodation.",
        ["Risk"],
    ),
    "circles": (
        "Circles of support and accountability referral",
        "Volunteers support high-risk offenders leaving custody through a circle.",
        "Referral criteria, consent and information sharing with the circle coordinator.",
        ["Risk", "Joint police–probation working"],
    ),
    "housing-checks": (
        "Accommodation and housing checks",
        "Checking proposed housing for its distance from schools and vulnerable neighbours.",
        "Officers visit the address and consult housing providers to prevent further harms to "
        "children living nearby.",
        ["Home visits", "Risk"],
    ),
    "mental-health": (
        "Mental health liaison for offender managers",
        "A mental health nurse advises offender managers on cases with complex needs.",
        "Liaison sessions each fortnight; urgent referrals the same day.",
        ["Mental health"],
    ),
    "exclusion-zones": (
        "Victim liaison and exclusion zones",
        "Working with victim liaison officers to set licence exclusion zones.",
        "Maps of each exclusion zone are shared with the offender manager and the police.",
        ["Court orders"],
    ),
    "visor-audit": (
        "ViSOR record quality audit",
        "A quarterly audit of ViSOR nominal records for completeness and timeliness.",
        "Auditors score records and share the findings with each unit.",
        ["Public protection information"],
    ),
    "pdp-pathway": (
        "Potentially dangerous persons referral pathway",
        "A single pathway for referring a potentially dangerous person to MAPPA.",
        "Officers complete one referral form; a panel decides on PDP status within a week.",
        ["Potentially dangerous persons", "MAPPA"],
    ),
    "rsho": (
        "Risk of sexual harm order applications",
        "Applying for an order against someone without a conviction who poses a risk.",
        "Evidence threshold, court preparation and working with legal services.",
        ["Court orders", "Potentially dangerous persons"],
    ),
    "passport-surrender": (
        "Foreign travel orders and passport surrender",
        "Courts may order passports to be surrendered; this records the process.",
        "Storage of passports, return on expiry and checks with border services.",
        ["Travel", "Court orders"],
    ),
    "indefinite-review": (
        "Reviews of indefinite notification requirements",
        "Preparing the police decision when an offender applies for a review.",
        "Gathering evidence from all agencies and writing the decision letter.",
        ["Reviews", "Notification requirements"],
    ),
    "release-custody": (
        "Identifying offenders for management after release from custody",
        "Prisons and police agree who will manage an offender before release from custody.",
        "A pre-release meeting sets the first home visit and notification date.",
        ["Identifying offenders for management"],
    ),
    "mosovo-induction": (
        "MOSOVO officer induction programme",
        "A six-week induction for officers joining a MOSOVO unit.",
        "Shadowing, ARMS training and supervised home visits before taking a caseload.",
        ["Training"],
    ),
}

# id: (title, summary, methods note, topic names, {recommendation id: (number, text)})
BRIEFINGS = {
    "arms-evaluation": (
        "ARMS evaluation: interim findings",
        "What offender managers told us about ARMS assessments in their first year.",
        "Interviews with forty offender managers in six forces, and a review of case files.",
        ["ARMS practice"],
        {
            "arms-rec-sample": (
                1,
                "Forces should quality assure a sample of ARMS assessments every month.",
            ),
            "arms-rec-feedback": (
                2,
                "Supervisors should give written feedback on each assessment they review.",
            ),
        },
    ),
    "visits-inspection": (
        "Home visits to registered sex offenders: a thematic inspection",
        "How often officers visit, what they check in the home and how visits are recorded.",
        "Inspectors read three hundred visit records and went out with officers in eight forces.",
        ["Home visits"],
        {
            "visits-rec-unannounced": (
                1,
                "Forces should make an unannounced visit to every very high risk offender each "
                "quarter.",
            ),
            "visits-rec-devices": (
                2,
                "Visit records should say what was checked in the home, including phones and "
                "computers.",
            ),
        },
    ),
    "online-evidence": (
        "Online offending: what works in managing internet sex offenders",
        "A review of the evidence on monitoring software, polygraph testing and treatment for "
        "people convicted of online offences.",
        "A rapid evidence assessment of twenty-two studies.",
        ["Online offending"],
        {},
    ),
    "polygraph-evaluation": (
        "Mandatory polygraph testing: evaluation findings",
        "Polygraph testing led to more disclosures of risk-relevant information, which offender "
        "managers acted on.",
        "A comparison of licence cases with and without testing over two years.",
        ["Risk"],
        {},
    ),
    "mappa-reviews": (
        "MAPPA serious case reviews: learning from five cases",
        "Common threads in the reviews after further offences: information sharing between "
        "agencies and the choice of MAPPA level.",
        "A thematic reading of five published serious case reviews.",
        ["MAPPA", "Reviews"],
        {},
    ),
}

# id: (title, summary, topic names, {session id: (title, description)})
EVENTS = {
    "arms-workshop": (
        "ARMS refresher workshop",
        "A day refreshing assessment skills for experienced ARMS assessors.",
        ["ARMS practice", "Training"],
        {
            "arms-protective": (
                "Scoring protective factors",
                "Working through the protective domains of an ARMS assessment with case studies.",
            ),
        },
    ),
    "online-conference": (
        "National conference on online child sexual abuse",
        "Managing people who offend online: device examinations, monitoring software and risk.",
        ["Online offending"],
        {
            "device-examinations": (
                "Device examinations during home visits",
                "What officers may look at on phones and computers during a home visit, and when "
                "to seize a device.",
            ),
            "polygraph-practice": (
                "Polygraph in practice",
                "Examiners and offender managers on using what people disclose in polygraph "
                "tests.",
            ),
        },
    ),
    "mappa-chairs": (
        "MAPPA chairs' network day",
        "Chairs of level 2 and 3 meetings share practice on minutes, actions and attendance.",
        ["MAPPA"],
        {},
    ),
    "disclosure-webinar": (
        "Webinar: the disclosure scheme in practice",
        "How forces answer applications under the child sex offender disclosure scheme, with "
        "safeguarding advice for parents.",
        ["Disclosure"],
        {},
    ),
    "visor-course": (
        "ViSOR for new MOSOVO officers",
        "A two-day course on ViSOR: nominal records, risk assessments and tasking.",
        ["Training", "Public protection information"],
        {},
    ),
}

# query: {document id: grade}; 2 = what the searcher wants, 1 = partly relevant.
JUDGEMENTS = {
    "ARMS assessment": {
        "arms-qa": 2,
        "arms-change": 2,
        "arms-evaluation": 2,
        "arms-training": 1,
        "arms-workshop": 1,
        "arms-protective": 1,
        "arms-rec-sample": 1,
        "rmp-template": 1,
    },
    "polygraph": {
        "polygraph": 2,
        "polygraph-evaluation": 2,
        "polygraph-practice": 1,
        "online-evidence": 1,
    },
    # A typo: only the engine tolerates them.
    "polygrph": {
        "polygraph": 2,
        "polygraph-evaluation": 2,
        "polygraph-practice": 1,
        "online-evidence": 1,
    },
    "home visits": {
        "joint-visits": 2,
        "unannounced-visits": 2,
        "lone-working": 2,
        "visits-inspection": 2,
        "visits-rec-unannounced": 1,
        "visits-rec-devices": 1,
        "device-examinations": 1,
        "housing-checks": 1,
    },
    # Other word forms than the documents': "visiting", "homes".
    "visiting offenders homes": {
        "joint-visits": 2,
        "unannounced-visits": 2,
        "lone-working": 2,
        "visits-inspection": 2,
        "visits-rec-unannounced": 1,
        "visits-rec-devices": 1,
        "device-examinations": 1,
    },
    "unannounced visit": {
        "unannounced-visits": 2,
        "visits-rec-unannounced": 2,
        "visits-inspection": 1,
    },
    "MAPPA meeting": {
        "mappa-checklist": 2,
        "mappa-chairs": 2,
        "mappa-minutes": 1,
        "mappa-reviews": 1,
        "pdp-pathway": 1,
    },
    # "prepare" for "preparation", "meetings" for "meeting".
    "prepare for MAPPA meetings": {
        "mappa-checklist": 2,
        "mappa-minutes": 1,
        "mappa-chairs": 1,
    },
    "risk management plan": {
        "rmp-template": 2,
        "rmp-peer-review": 2,
        "polygraph": 1,
        "desistance": 1,
    },
    '"exclusion zones"': {"exclusion-zones": 2},
    '"indecent images"': {"indecent-images": 2, "online-evidence": 1},
    '"disclosure scheme"': {
        "disclosure-scheme": 2,
        "disclosure-webinar": 2,
        "media-protocol": 1,
    },
    "disclosure sceme": {
        "disclosure-scheme": 2,
        "disclosure-webinar": 2,
        "media-protocol": 1,
    },
    "online offenders monitoring": {
        "device-monitoring": 2,
        "indecent-images": 2,
        "online-evidence": 2,
        "online-conference": 1,
        "device-examinations": 1,
    },
    # "monitored" and "devices" for "monitoring" and "device".
    "monitored devices": {
        "device-monitoring": 2,
        "device-examinations": 1,
        "online-conference": 1,
        "visits-rec-devices": 1,
    },
    "sexual harm prevention order breaches": {"shpo-breach": 2, "indecent-images": 1},
    "SHPO": {"shpo-breach": 2, "indecent-images": 1},
    "circles of support": {"circles": 2},
    # "travelling" for "travel".
    "travelling abroad": {"port-checks": 2, "passport-surrender": 1, "notification-letters": 1},
    "mental health": {"mental-health": 2},
    "ViSOR records": {"visor-audit": 2, "visor-course": 2, "port-checks": 1},
    "desistence": {"desistance": 2},
    "victim exclusion zone": {"exclusion-zones": 2},
    # Known items: the words of one record's title. Records that share most of them (the
    # other order, the other notification record, the other plan, the other ARMS and visit
    # records) must rank below it.
    "risk of sexual harm order": {"rsho": 2},
    "potentially dangerous person": {"pdp-pathway": 2, "rsho": 1},
    "indefinite notification review": {"indefinite-review": 2},
    "notification reminder letters": {"notification-letters": 2},
    "passport surrender": {"passport-surrender": 2},
    "peer review risk management plans": {"rmp-peer-review": 2, "rmp-template": 1},
    "ARMS quality assurance": {"arms-qa": 2, "arms-rec-sample": 1, "arms-evaluation": 1},
    "ARMS training": {
        "arms-training": 2,
        "arms-workshop": 2,
        "arms-protective": 1,
        "mosovo-induction": 1,
    },
    "joint home visits": {
        "joint-visits": 2,
        "unannounced-visits": 1,
        "lone-working": 1,
        "visits-inspection": 1,
    },
    "MOSOVO induction": {"mosovo-induction": 2, "visor-course": 1},
    "desistance supervision": {"desistance": 2},
    "housing checks": {"housing-checks": 2},
    "media protocol": {"media-protocol": 2},
    # A phrase with a stop word inside it.
    '"release from custody"': {"release-custody": 2},
}
