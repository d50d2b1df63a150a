"""Code lists the roll uses (SSDA903 and school census). Labels are for people; codes are stored."""

from __future__ import annotations

LEGAL_STATUS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "V2": "Section 20: single period of accommodation",
    "V3": "Section 20: short-term breaks, single placement",
    "V4": "Section 20: short-term breaks, multiple placements",
    "L1": "Police protection",
    "L2": "Emergency protection order",
    "L3": "Child assessment order",
    "J1": "Remanded to local authority accommodation or youth detention",
    "J2": "Placed under PACE",
    "J3": "Sentenced to a youth rehabilitation order with residence or fostering requirement",
}

SEN_PRIMARY_NEED = {
    "SPLD": "Specific learning difficulty",
    "MLD": "Moderate learning difficulty",
    "SLD": "Severe learning difficulty",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
    "HI": "Hearing impairment",
    "VI": "Visual impairment",
    "MSI": "Multi-sensory impairment",
    "PD": "Physical disability",
    "ASD": "Autistic spectrum disorder",
    "OTH": "Other difficulty or disability",
    "NSA": "SEN support but no specialist assessment of type of need",
}

ETHNICITY = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WOTH": "Any other White background",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy or Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

# SSDA903 code lists. The importer accepts a code that was valid in any collection year from 2017 to 2026
# (../shared/data/schemas/ssda903/: the 2017 base and its yearly diffs), because a file may hold history
# from before a code was withdrawn. Labels summarise the DfE SSDA903 guidance; check it before relying on one.
SSDA903_SEX = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}

REASON_NEW_EPISODE = {
    "S": "Started to be looked after",
    "L": "Change of legal status only",
    "P": "Change of placement and carer(s) only",
    "T": "Change of legal status and placement and carer(s) at the same time",
    "B": "Change of placement (same carer(s)) only",
    "U": "Change of legal status and placement (same carer(s)) at the same time",
}

CATEGORY_OF_NEED = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
}

PLACEMENT_TYPE = {
    "A3": "Placed for adoption with consent, with current foster carer(s)",
    "A4": "Placed for adoption with consent, not with current foster carer(s)",
    "A5": "Placed for adoption with a placement order, with current foster carer(s)",
    "A6": "Placed for adoption with a placement order, not with current foster carer(s)",
    "H5": "Semi-independent living accommodation (until 2024)",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "K3": "Supported accommodation (from 2025)",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living (until 2024)",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or health trust establishment providing medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution or prison",
    "S1": "Residential school",
    "T0": "Temporary move: all types",
    "T1": "Temporary period in hospital",
    "T2": "Temporary absence on holiday",
    "T3": "Temporary accommodation while the usual foster carer(s) are on holiday",
    "T4": "Temporary accommodation of seven days or less",
    "U1": "Foster placement with relative or friend: long-term fostering",
    "U2": "Foster placement with relative or friend who is also an approved adopter",
    "U3": "Foster placement with relative or friend: not long-term or fostering for adoption",
    "U4": "Foster placement with other foster carer: long-term fostering",
    "U5": "Foster placement with other foster carer who is also an approved adopter",
    "U6": "Foster placement with other foster carer: not long-term or fostering for adoption",
    "Z1": "Other placement",
    "Z11": "Other placement (Z11, from 2026: see the DfE guidance for the year)",
    "Z12": "Other placement (Z12, from 2026: see the DfE guidance for the year)",
    "Z13": "Other placement (Z13, from 2026: see the DfE guidance for the year)",
    "Z14": "Other placement (Z14, from 2026: see the DfE guidance for the year)",
}

PLACEMENT_PROVIDER = {
    "PR0": "Parent(s) or other person(s) with parental responsibility",
    "PR1": "Own provision (by the local authority)",
    "PR2": "Other local authority provision",
    "PR3": "Other public provision",
    "PR4": "Private provision",
    "PR5": "Voluntary or third sector provision",
}

REASON_EPISODE_CEASED = {
    "X1": "Episode ceased and a new one began on the same day",
    "E11": "Adopted: application unopposed",
    "E12": "Adopted: consent dispensed with by the court",
    "E13": "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment found the child to be 18 or over",
    "E16": "Child moved abroad",
    "E17": "Aged 18 or over and stayed with current carers",
    "E2": "Died",
    "E3": "Care taken over by another local authority",
    "E41": "Residence order or child arrangements order granted",
    "E43": "Special guardianship order to former foster carer(s) who were relatives or friends (until 2019)",
    "E44": "Special guardianship order to former foster carer(s) not relatives or friends (until 2019)",
    "E45": "Special guardianship order to carer(s) other than former foster carers: relatives or friends",
    "E46": "Special guardianship order to carer(s) other than former foster carers: not relatives or friends",
    "E47": "Special guardianship order to former foster carer(s) who were relatives or friends",
    "E48": "Special guardianship order to former foster carer(s) not relatives or friends",
    "E4A": "Returned home as part of the care planning process",
    "E4B": "Returned home not as part of the care planning process",
    "E5": "Moved to independent living with supportive accommodation",
    "E6": "Moved to independent living with no formalised support",
    "E7": "Transferred to residential care funded by adult social care",
    "E8": "Ceased for any other reason",
    "E9": "Sentenced to custody",
}

REASON_PLACE_CHANGE = {
    "CARPL": "Change to or implementation of the care plan",
    "CLOSE": "Resignation or closure of the provision",
    "ALLEG": "Allegation (section 47)",
    "STAND": "Concerns about the standard of care",
    "APPRR": "Approval removed",
    "CREQB": "Carer requested the placement end because of the child's behaviour",
    "CREQO": "Carer requested the placement end for another reason",
    "CHILD": "Child requested the placement end",
    "LAREQ": "Responsible or area authority requested the placement end",
    "PLACE": "Change in the status of the placement only",
    "CUSTOD": "Custody arrangement",
    "OTHER": "Other",
}

SDQ_REASON = {
    "SDQ1": "Child aged under 4 or over 16 at the latest assessment",
    "SDQ2": "Carer refused to complete the questionnaire",
    "SDQ3": "Not possible because of the severity of the child's disability",
    "SDQ4": "Other",
    "SDQ5": "Young person refused to allow the questionnaire",
}
