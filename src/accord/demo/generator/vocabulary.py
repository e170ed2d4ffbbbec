"""Words the generator combines: common US first and last names (combined at random, so every
generated person is synthetic), organization name parts, specialties, and the texts of
notes, questions, answers and insights per therapeutic area."""

from __future__ import annotations

FEMALE_FIRST = (
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Lisa", "Nancy", "Sandra", "Ashley", "Emily", "Michelle", "Amanda",
    "Melissa", "Stephanie", "Rebecca", "Laura", "Rachel", "Maria", "Anna", "Grace", "Priya",
    "Mei", "Aisha", "Fatima", "Sofia", "Camila", "Hannah", "Olivia", "Nicole", "Katherine",
    "Julia", "Ngozi", "Yuki", "Ana", "Leah",
)  # fmt: skip
MALE_FIRST = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
    "Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Andrew",
    "Paul", "Joshua", "Kevin", "Brian", "George", "Timothy", "Jason", "Ryan", "Eric",
    "Jacob", "Samuel", "Benjamin", "Rahul", "Wei", "Hiroshi", "Omar", "Carlos", "Luis",
    "Diego", "Kwame", "Ivan", "Arjun", "Noah",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
    "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
    "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Patel", "Shah", "Kim", "Chen", "Wang", "Singh", "Kumar", "Cohen", "Murphy", "Sullivan",
    "O'Brien", "Kelly", "Rossi", "Russo", "Novak", "Kowalski", "Schmidt", "Fischer",
    "Weber", "Becker", "Okafor", "Mensah", "Adeyemi", "Nakamura", "Tanaka", "Sato", "Park",
    "Choi", "Ali", "Hassan", "Khan", "Gupta", "Reddy", "Iyer", "Silva", "Santos", "Costa",
    "Morales", "Ortiz", "Reyes", "Cruz", "Morgan", "Bennett", "Hughes", "Price", "Foster",
    "Brooks", "Sanders", "Bailey", "Cooper",
)  # fmt: skip

#: NUCC codes the generator uses besides those of accord.demo.catalog.SPECIALTIES (v25.1)
EXTRA_SPECIALTIES = (
    (
        "207RI0011X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Interventional Cardiology",
        "Interventional Cardiology Physician",
    ),
    (
        "207RG0300X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Geriatric Medicine",
        "Geriatric Medicine (Internal Medicine) Physician",
    ),
    (
        "207RN0300X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Nephrology",
        "Nephrology Physician",
    ),
    (
        "363LF0000X",
        "Physician Assistants & Advanced Practice Nursing Providers",
        "Nurse Practitioner",
        "Family",
        "Family Nurse Practitioner",
    ),
    (
        "363LA2200X",
        "Physician Assistants & Advanced Practice Nursing Providers",
        "Nurse Practitioner",
        "Adult Health",
        "Adult Health Nurse Practitioner",
    ),
    (
        "363AM0700X",
        "Physician Assistants & Advanced Practice Nursing Providers",
        "Physician Assistant",
        "Medical",
        "Medical Physician Assistant",
    ),
    (
        "1835P1200X",
        "Pharmacy Service Providers",
        "Pharmacist",
        "Pharmacotherapy",
        "Pharmacotherapy Pharmacist",
    ),
    (
        "261QX0200X",
        "Ambulatory Health Care Facilities",
        "Clinic/Center",
        "Oncology",
        "Oncology Clinic/Center",
    ),
)

#: HCP specialties: (NUCC code, share of HCPs, profession, weights of CARDIO/ONC/IMM)
#: profession: md (MD or DO), np, pa, pharm
HCP_SPECIALTIES: tuple[tuple[str, float, str, tuple[float, float, float]], ...] = (
    ("207R00000X", 0.16, "md", (0.60, 0.15, 0.25)),  # internal medicine
    ("207Q00000X", 0.16, "md", (0.70, 0.10, 0.20)),  # family medicine
    ("207RC0000X", 0.065, "md", (1.0, 0.0, 0.0)),  # cardiovascular disease
    ("207RI0011X", 0.015, "md", (1.0, 0.0, 0.0)),  # interventional cardiology
    ("207RH0003X", 0.04, "md", (0.0, 1.0, 0.0)),  # hematology & oncology
    ("207RX0202X", 0.03, "md", (0.0, 1.0, 0.0)),  # medical oncology
    ("2084N0400X", 0.035, "md", (0.30, 0.0, 0.70)),  # neurology
    ("207RE0101X", 0.03, "md", (0.90, 0.0, 0.10)),  # endocrinology
    ("207RR0500X", 0.025, "md", (0.0, 0.0, 1.0)),  # rheumatology
    ("207RG0300X", 0.01, "md", (0.70, 0.10, 0.20)),  # geriatric medicine
    ("207RN0300X", 0.015, "md", (0.80, 0.0, 0.20)),  # nephrology
    ("363L00000X", 0.09, "np", (0.50, 0.25, 0.25)),  # nurse practitioner
    ("363LF0000X", 0.06, "np", (0.60, 0.15, 0.25)),  # family nurse practitioner
    ("363LA2200X", 0.02, "np", (0.50, 0.25, 0.25)),  # adult health nurse practitioner
    ("363A00000X", 0.08, "pa", (0.50, 0.25, 0.25)),  # physician assistant
    ("363AM0700X", 0.02, "pa", (0.50, 0.25, 0.25)),  # medical physician assistant
    ("183500000X", 0.06, "pharm", (0.40, 0.35, 0.25)),  # pharmacist
    ("1835P1200X", 0.015, "pharm", (0.40, 0.35, 0.25)),  # pharmacotherapy pharmacist
)

#: therapeutic area codes in the order of the weights above
AREAS = ("CARDIO", "ONC", "IMM")

#: topics per therapeutic area (interaction and insight topics)
TOPICS: dict[str, tuple[str, ...]] = {
    "CARDIO": (
        "LDL-C targets",
        "statin intolerance",
        "cardiovascular outcomes",
        "adherence",
        "formulary access",
        "guideline update",
    ),
    "ONC": (
        "biomarker testing",
        "treatment sequencing",
        "adverse event management",
        "trial enrollment",
        "prior authorization",
        "real-world evidence",
    ),
    "IMM": (
        "biosimilar switching",
        "treat-to-target",
        "patient support program",
        "formulary access",
        "long-term safety",
        "dosing flexibility",
    ),
}

#: short call notes per engaging function
NOTES: dict[str, tuple[str, ...]] = {
    "commercial": (
        "Reviewed the approved core visual aid; asked for patient brochures.",
        "Discussed formulary status at the practice's main health plans.",
        "Office manager set up a lunch-and-learn next month.",
        "Left approved leave-behind; follow up on samples policy.",
        "Interested in the patient support program enrolment steps.",
        "Prefers short visits; send approved email with the dosing card.",
    ),
    "medical": (
        "Scientific exchange on the latest phase 3 data; asked for the full publication.",
        "Discussed the congress presentation and its limitations.",
        "Interested in real-world evidence in older patients.",
        "Asked about ongoing trials at nearby sites.",
        "Shared perspective on guideline changes expected this year.",
        "Follow up with the medical information letter requested.",
    ),
    "market_access": (
        "Reviewed the budget impact model with the pharmacy team.",
        "P&T committee meets next quarter; dossier requested.",
        "Discussed prior authorization criteria and step edits.",
        "Asked for the value dossier and outcomes data.",
    ),
    "research": (
        "Site feasibility questionnaire discussed; good patient population.",
        "Investigator interested in the upcoming phase 2 study.",
        "Reviewed enrolment progress and screen-failure reasons.",
        "Discussed protocol amendment and data collection burden.",
    ),
}

#: insight templates per area and sentiment; {product} is the product's name
INSIGHTS: dict[str, dict[str, tuple[str, ...]]] = {
    "CARDIO": {
        "positive": (
            "Cardiologist reports patients reaching LDL-C goal faster on {product}; "
            "would value more outcomes data to share with referring PCPs.",
            "PCPs in the group now start {product} earlier after statin intolerance.",
        ),
        "neutral": (
            "Prescriber waits for the updated lipid guideline before changing practice "
            "with {product}.",
            "Interest in {product} depends on the coming formulary decision of the main plan.",
        ),
        "negative": (
            "Prior authorization for {product} takes weeks; patients abandon therapy.",
            "Concern that the {product} outcomes data do not cover elderly patients.",
        ),
    },
    "ONC": {
        "positive": (
            "Oncologist sees {product} as a practice-changing option after progression.",
            "Tumor board now orders biomarker testing earlier, which helps select {product}.",
        ),
        "neutral": (
            "Unsure where {product} fits in the sequence; asks for head-to-head data.",
            "Community oncologists want real-world evidence on {product} before adopting.",
        ),
        "negative": (
            "Worried about managing adverse events with {product} in a community setting.",
            "Biomarker testing turnaround delays decisions about {product}.",
        ),
    },
    "IMM": {
        "positive": (
            "Rheumatologist reports stable remission on {product} and good adherence.",
            "Patients value the support program that comes with {product}.",
        ),
        "neutral": (
            "Considering biosimilar switching; wants clarity on {product} interchangeability.",
            "Treat-to-target uptake is slow; {product} choice driven by payer rules.",
        ),
        "negative": (
            "Payer mandated a switch away from {product}; patients anxious about flares.",
            "Long-term safety questions on {product} raised by patients after media reports.",
        ),
    },
}

#: medical information questions; (text, off_label) with {product}
MIR_QUESTIONS: tuple[tuple[str, bool], ...] = (
    ("What is the recommended dose adjustment of {product} in renal impairment?", False),
    ("Are there data on {product} interactions with common anticoagulants?", False),
    ("What does the label say about {product} in pregnancy and lactation?", False),
    ("Is there stability data for {product} outside the refrigerator?", False),
    ("Can {product} be used in pediatric patients? Any data?", True),
    ("Are there data on {product} at a higher dose than labeled?", True),
    ("Has {product} been studied in combination with other agents off label?", True),
    ("Any evidence for {product} in an indication not on the label?", True),
)

MIR_ANSWERS = (
    "Standard response letter sent with the prescribing information and the cited studies.",
    "Custom response prepared by medical information; literature search attached.",
    "Answered by phone by medical information; summary letter sent.",
)

ISS_QUESTIONS = (
    "Investigator-sponsored study proposal: real-world outcomes with {product} in a "
    "community practice cohort.",
    "ISS proposal: biomarker sub-study in patients treated with {product}.",
    "ISS proposal: adherence intervention for patients starting {product}.",
)
GRANT_QUESTIONS = (
    "Grant request for an independent CME program on {area}.",
    "Grant request to support a patient education day on {area}.",
    "Research grant request for a registry in {area}.",
)
SPEAKER_QUESTIONS = (
    "Request to join the speaker bureau for {product}.",
    "Offer to speak at a regional program on {area}.",
)
DECISION_ANSWERS = {
    "approved": "Approved by the review committee; contract sent.",
    "declined": "Declined by the review committee: outside current funding priorities.",
    "closed": "Closed: the requester withdrew the request.",
}

AREA_NAMES = {"CARDIO": "cardiometabolic disease", "ONC": "oncology", "IMM": "rheumatology"}

#: organization name parts
ORG_ADJECTIVES = (
    "Riverside", "Lakeside", "Valley", "Summit", "Harbor", "Northgate", "Pinecrest",
    "Crestview", "Fairview", "Brookside", "Meadowbrook", "Oakridge", "Westfield", "Eastbay",
    "Highland", "Mercy", "St. Anselm", "St. Brigid", "Unity", "Cornerstone",
)  # fmt: skip
PAYER_WORDS = (
    "Keystone", "Evergreen", "Granite", "Pacific Crest", "Liberty", "Cascade", "Bayview",
    "Sierra", "Atlantic", "Pioneer",
)  # fmt: skip
DISEASES = ("Heart", "Cancer", "Arthritis", "Lupus", "Diabetes", "Lymphoma")
