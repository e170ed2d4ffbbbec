"""NPI Registry API (version 2.1) responses: each result is turned into the NPPES V.2 row it
describes and goes through the same parsing and upsert as the NPPES file, so both sources
agree to the field. Error bodies ({"Errors": [...]}) and empty results are recorded on the
job, not failures; a file that is not JSON, or JSON that is not a registry response, is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from accord.importer.nppes import FULL_COLUMNS, ROW, normalise_full
from accord.importer.nppes_apply import Staging
from accord.importer.service import BadFile, Run


def _text(value: Any) -> str:
    if value is None:
        return ""
    value = str(value).strip()
    return "" if value == "--" else value


def to_nppes_row(result: dict[str, Any]) -> dict[str, str]:
    """The NPPES V.2 columns one registry result fills."""
    basic = result.get("basic") or {}
    person = result.get("enumeration_type") == "NPI-1"
    row: dict[str, str] = {
        "NPI": _text(result.get("number")),
        "Entity Type Code": "1" if person else "2",
        "Provider Organization Name (Legal Business Name)": _text(basic.get("organization_name")),
        "Provider Last Name (Legal Name)": _text(basic.get("last_name")),
        "Provider First Name": _text(basic.get("first_name")),
        "Provider Middle Name": _text(basic.get("middle_name")),
        "Provider Credential Text": _text(basic.get("credential")),
        "Provider Sex Code": _text(basic.get("gender") or basic.get("sex")),
        "Last Update Date": _text(basic.get("last_updated")),
        "NPI Deactivation Date": _text(basic.get("deactivation_date")),
        "NPI Reactivation Date": _text(basic.get("reactivation_date")),
        "Is Organization Subpart": "Y"
        if _text(basic.get("organizational_subpart")) == "YES"
        else "N",
        "Parent Organization LBN": _text(basic.get("parent_organization_legal_business_name")),
        "Authorized Official Last Name": _text(basic.get("authorized_official_last_name")),
        "Authorized Official First Name": _text(basic.get("authorized_official_first_name")),
        "Authorized Official Middle Name": _text(basic.get("authorized_official_middle_name")),
        "Authorized Official Title or Position": _text(
            basic.get("authorized_official_title_or_position")
        ),
        "Authorized Official Telephone Number": _text(
            basic.get("authorized_official_telephone_number")
        ),
        "Authorized Official Credential Text": _text(basic.get("authorized_official_credential")),
    }
    if basic.get("status") == "D" and not row["NPI Deactivation Date"]:
        row["NPI Deactivation Date"] = _text(basic.get("last_updated"))
    if not person:
        others = [o for o in result.get("other_names") or [] if _text(o.get("organization_name"))]
        if others:
            row["Provider Other Organization Name"] = _text(others[0]["organization_name"])
    purposes = {"LOCATION": "Business Practice Location", "MAILING": "Business Mailing"}
    for address in result.get("addresses") or []:
        purpose = purposes.get(_text(address.get("address_purpose")).upper())
        if purpose is None:
            continue
        row[f"Provider First Line {purpose} Address"] = _text(address.get("address_1"))
        row[f"Provider Second Line {purpose} Address"] = _text(address.get("address_2"))
        row[f"Provider {purpose} Address City Name"] = _text(address.get("city"))
        state = (
            _text(address.get("state")) if _text(address.get("country_code")) in ("", "US") else ""
        )
        row[f"Provider {purpose} Address State Name"] = state
        row[f"Provider {purpose} Address Postal Code"] = _text(address.get("postal_code"))
        row[f"Provider {purpose} Address Country Code (If outside U.S.)"] = _text(
            address.get("country_code")
        )
        row[f"Provider {purpose} Address Telephone Number"] = _text(address.get("telephone_number"))
    for slot, taxonomy in enumerate(result.get("taxonomies") or [], start=1):
        if slot > 15:
            break
        row[f"Healthcare Provider Taxonomy Code_{slot}"] = _text(taxonomy.get("code"))
        row[f"Healthcare Provider Primary Taxonomy Switch_{slot}"] = (
            "Y" if taxonomy.get("primary") in (True, "true", "True", "Y") else "N"
        )
        row[f"Provider License Number_{slot}"] = _text(taxonomy.get("license"))
        row[f"Provider License Number State Code_{slot}"] = _text(taxonomy.get("state"))
    for slot, identifier in enumerate(result.get("identifiers") or [], start=1):
        if slot > 50:
            break
        row[f"Other Provider Identifier_{slot}"] = _text(identifier.get("identifier"))
        row[f"Other Provider Identifier Type Code_{slot}"] = _text(identifier.get("code"))
        row[f"Other Provider Identifier State_{slot}"] = _text(identifier.get("state"))
        row[f"Other Provider Identifier Issuer_{slot}"] = _text(identifier.get("issuer"))
    return row


def _responses(path: Path) -> list[dict[str, Any]]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadFile(f"{path.name} is not JSON: {error}", field="file") from None
    responses = body if isinstance(body, list) else [body]
    for response in responses:
        if not isinstance(response, dict) or not ({"results", "Errors"} & set(response)):
            raise BadFile(
                f"{path.name} is not an NPI Registry API response (no 'results' or 'Errors')",
                field="file",
            )
    return responses


def import_npi_json(run: Run, path: Path) -> None:
    """Each result becomes the NPPES row it describes and goes through the NPPES import's
    own normalising and set-based apply."""
    responses = _responses(path)
    # the whole response is read before its first result
    run.position = lambda: run.job.source_bytes
    rows: list[dict[str, Any]] = []
    number = 0
    for response in responses:
        for error in response.get("Errors") or []:
            run.note(
                0,
                "Errors",
                _text(error.get("number")),
                f"the registry answered an error: {_text(error.get('description'))}",
            )
        for result in response.get("results") or []:
            number += 1
            run.job.read += 1
            if not isinstance(result, dict):
                run.reject(number, None, None, "a result is not an object")
                continue
            rows.append({ROW: number, **to_nppes_row(result)})
    run.flush_errors()
    staging = Staging(run)
    if rows:
        frame = pl.DataFrame(rows, schema={ROW: pl.Int64, **dict.fromkeys(FULL_COLUMNS, pl.String)})
        staging.add(normalise_full(frame))
    staging.apply(f"NPI Registry import of {path.name} (job {run.job.id})")
    if run.progress:
        run.progress(run.job.read)
