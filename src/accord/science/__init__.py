"""Science: PubMed publications and ClinicalTrials.gov trials linked to stakeholders."""
