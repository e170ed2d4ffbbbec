"""The demo's products: six across three therapeutic areas, one at each interesting stage, so
the firewall's stage rules show in the demo. Names are synthetic."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.product import service as product_service
from accord.product.models import LifecycleStage

THERAPEUTIC_AREAS = (
    ("CARDIO", "Cardiometabolic"),
    ("ONC", "Oncology"),
    ("IMM", "Immunology & Rheumatology"),
)

#: word prefixes that put a publication or a trial in an area (the network's per-area metrics)
KEYWORDS = {
    "CARDIO": (
        "cardi",
        "heart",
        "coronary",
        "atheroscler",
        "hypercholesterol",
        "cholesterol",
        "lipid",
        "ldl",
        "statin",
        "hypertens",
        "myocardial",
    ),
    "ONC": (
        "cancer",
        "oncolog",
        "tumor",
        "tumour",
        "carcinom",
        "lymphom",
        "leukem",
        "myelom",
        "neoplasm",
        "metasta",
        "biomarker",
    ),
    "IMM": (
        "rheumat",
        "arthritis",
        "lupus",
        "psoria",
        "spondyl",
        "autoimmun",
        "biosimilar",
        "treat-to-target",
    ),
}

PRODUCTS = (
    ("CVX-201", "Corvexa (investigational)", "CARDIO", LifecycleStage.development),
    ("LPT", "Lipitrel", "CARDIO", LifecycleStage.growth),
    ("TMV", "Tumivant", "ONC", LifecycleStage.pre_launch),
    ("ONP", "Oncoprex", "ONC", LifecycleStage.launch),
    ("RHZ", "Rheumazol", "IMM", LifecycleStage.mature),
    ("IMX", "Immuvex", "IMM", LifecycleStage.loss_of_exclusivity),
)


def ensure_demo_products(session: Session) -> int:
    """Create the demo therapeutic areas and products that are missing; returns how many."""
    areas = {}
    for code, name in THERAPEUTIC_AREAS:
        areas[code] = product_service.find_area(session, code) or product_service.create_area(
            session, code=code, name=name
        )
        if not areas[code].keywords:
            areas[code].keywords = list(KEYWORDS[code])
    created = 0
    for code, name, area, stage in PRODUCTS:
        if product_service.find_product(session, code) is None:
            product_service.create_product(
                session, code=code, name=name, area=areas[area], stage=stage
            )
            created += 1
    return created


#: the NUCC taxonomy codes the demo uses (code, grouping, classification, specialization,
#: display name), as published in NUCC v25.1
SPECIALTIES = (
    (
        "207R00000X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        None,
        "Internal Medicine Physician",
    ),
    (
        "207Q00000X",
        "Allopathic & Osteopathic Physicians",
        "Family Medicine",
        None,
        "Family Medicine Physician",
    ),
    (
        "207RC0000X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Cardiovascular Disease",
        "Cardiovascular Disease Physician",
    ),
    (
        "207RH0003X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Hematology & Oncology",
        "Hematology & Oncology Physician",
    ),
    (
        "207RX0202X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Medical Oncology",
        "Medical Oncology Physician",
    ),
    (
        "2084N0400X",
        "Allopathic & Osteopathic Physicians",
        "Psychiatry & Neurology",
        "Neurology",
        "Neurology Physician",
    ),
    (
        "207RE0101X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Endocrinology, Diabetes & Metabolism",
        "Endocrinology, Diabetes & Metabolism Physician",
    ),
    (
        "207RR0500X",
        "Allopathic & Osteopathic Physicians",
        "Internal Medicine",
        "Rheumatology",
        "Rheumatology Physician",
    ),
    (
        "363L00000X",
        "Physician Assistants & Advanced Practice Nursing Providers",
        "Nurse Practitioner",
        None,
        "Nurse Practitioner",
    ),
    (
        "363A00000X",
        "Physician Assistants & Advanced Practice Nursing Providers",
        "Physician Assistant",
        None,
        "Physician Assistant",
    ),
    ("183500000X", "Pharmacy Service Providers", "Pharmacist", None, "Pharmacist"),
    ("282N00000X", "Hospitals", "General Acute Care Hospital", None, "General Acute Care Hospital"),
    (
        "261QM1300X",
        "Ambulatory Health Care Facilities",
        "Clinic/Center",
        "Multi-Specialty",
        "Multi-Specialty Clinic/Center",
    ),
)


def ensure_demo_specialties(session: Session) -> int:
    from accord.stakeholder import service as stakeholder_service

    return stakeholder_service.ensure_specialties(session, SPECIALTIES)
