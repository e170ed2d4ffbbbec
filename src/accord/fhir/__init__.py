"""HL7 FHIR R4 import and export of the stakeholder master."""
