"""What FHIR codes and systems mean in the stakeholder master, both ways."""

from __future__ import annotations

from accord.stakeholder.models import StakeholderType

US_NPI = "http://hl7.org/fhir/sid/us-npi"
NUCC = "http://nucc.org/provider-taxonomy"
ORG_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
PLAN_NET_ORG_TYPE = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrgTypeCS"
#: Accord's own stakeholder type, written beside the FHIR code so that a round trip keeps it
ACCORD_TYPE = "urn:accord:stakeholder-type"

#: identifier systems stored under a short name (the column holds 40 characters); the NPI is
#: stored as "npi" like every other NPI in the master
SHORT_SYSTEMS = {
    US_NPI: "npi",
    "urn:oid:2.16.528.1.1007.3.1": "uzi",
    "urn:oid:2.16.840.1.113883.2.4.6.3": "nl_bsn",
    "https://www.bigregister.nl/": "big",
    "https://www.deanumber.com/": "dea",
    "http://hl7.org/fhir/sid/us-dea": "dea",
}
URI_OF_SHORT = {"npi": US_NPI, "uzi": "urn:oid:2.16.528.1.1007.3.1"} | {
    short: uri for uri, short in SHORT_SYSTEMS.items() if short not in {"npi", "uzi"}
}

#: identifiers a CRM must not hold (data minimisation): social security numbers
REFUSED_SYSTEMS = frozenset({"http://hl7.org/fhir/sid/us-ssn"})

#: organization-type (and Plan-Net OrgTypeCS) codes -> the stakeholder type; "prov" becomes
#: a hospital when the name says so, else a clinic
ORG_TYPES: dict[str, StakeholderType] = {
    "prov": StakeholderType.clinic,
    "dept": StakeholderType.hospital,
    "team": StakeholderType.clinic,
    "pay": StakeholderType.payer,
    "ins": StakeholderType.health_plan,
    "govt": StakeholderType.regulatory_agency,
    "edu": StakeholderType.academic_medical_center,
    "crs": StakeholderType.academic_medical_center,
    "cg": StakeholderType.patient_advocacy_group,
    "reli": StakeholderType.patient_advocacy_group,
    # Plan-Net
    "fac": StakeholderType.hospital,
    "prvgrp": StakeholderType.clinic,
    "atyprv": StakeholderType.clinic,
    "payer": StakeholderType.payer,
    "ntwk": StakeholderType.health_plan,
    "bus": StakeholderType.idn,
}
HOSPITAL_WORDS = ("hospital", "ziekenhuis", "medical center", "medisch centrum")

#: the stakeholder type -> the organization-type code written on export
ORG_TYPE_CODES: dict[StakeholderType, str] = {
    StakeholderType.hospital: "prov",
    StakeholderType.clinic: "prov",
    StakeholderType.idn: "prov",
    StakeholderType.academic_medical_center: "edu",
    StakeholderType.payer: "pay",
    StakeholderType.pbm: "pay",
    StakeholderType.health_plan: "ins",
    StakeholderType.regulatory_agency: "govt",
    StakeholderType.patient_advocacy_group: "cg",
    StakeholderType.professional_society: "other",
}

SEX_OF_GENDER = {"male": "M", "female": "F", "other": "U", "unknown": "U"}
GENDER_OF_SEX = {"M": "male", "F": "female", "U": "unknown"}
