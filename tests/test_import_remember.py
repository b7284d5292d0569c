"""What a workshop remembers between imports: the confirmed mapping (fields left out on purpose too)
and its rule overrides, including those saved before today's formats."""

from __future__ import annotations

from alignment.importing import ImportRules, read_table, run_import
from alignment.importing.mapping import header_signature
from alignment.importing.remember import (
    MAPPINGS_SETTING,
    mapping_for,
    settings_after_save,
    workshop_rules,
)

DEALS = (
    b"deal_id,stage,amount,created_date,lead_source,owner,account\n"
    b"A,Closed Won,100,2024-01-02,Web,Ann,Acme\n"
    b"B,Closed Lost,200,2024-01-03,Trade show,Bob,Beta\n"
    b"C,Negotiation,300,2024-01-04,Partner,Ann,Gamma\n"
)


def saved(settings: dict, data: bytes, chosen: dict[str, str | None]) -> dict:
    """The workshop settings after confirming the proposed mapping with ``chosen`` on top and saving."""
    raw = read_table(data, "deals.csv")
    mapping, _ = mapping_for(settings, raw.columns, raw.table, "deals")
    mapping = mapping.with_columns(chosen)
    result = run_import(raw, mapping, workshop_rules(settings))
    return {**settings, **settings_after_save(settings, raw.columns, mapping, result.report, ImportRules())}


def next_file(settings: dict, data: bytes = DEALS):
    raw = read_table(data, "next-week.csv")
    mapping, remembered = mapping_for(settings, raw.columns, raw.table, "deals")
    return mapping, remembered, run_import(raw, mapping, workshop_rules(settings)).report


def test_a_field_set_to_not_used_stays_unused_for_the_next_file_with_the_same_headers():
    _, _, proposed = next_file({})
    assert proposed.mapping["lead_source"] == "lead_source"  # the proposal uses the column
    settings = saved({}, DEALS, {"lead_source": None})
    mapping, remembered, report = next_file(settings)
    assert remembered
    assert mapping.column("lead_source") is None and mapping.fields["lead_source"].how == "not used"
    assert report.source_groups == {"unknown": 3}  # no source column: all three deals unknown


def test_only_fields_cleared_on_purpose_are_stored_as_not_used():
    settings = saved({}, DEALS, {"lead_source": None})
    stored = settings[MAPPINGS_SETTING][header_signature(DEALS.decode().splitlines()[0].split(","))]
    assert stored["not_used"] == ["lead_source"]  # never-proposed fields (region, segment…) are not listed
    assert "lead_source" not in stored["columns"] and stored["columns"]["owner"] == "owner"


def test_a_field_left_out_can_be_taken_back_on_a_later_file():
    settings = saved({}, DEALS, {"lead_source": None})
    settings = saved(settings, DEALS, {"lead_source": "lead_source"})
    mapping, _, report = next_file(settings)
    assert mapping.column("lead_source") == "lead_source"
    assert report.source_groups == {"marketing": 2, "partner": 1}  # Web and Trade show; Partner


def test_a_mapping_remembered_before_not_used_existed_still_applies():
    header = DEALS.decode().splitlines()[0].split(",")
    old_shape = {"kind": "deals", "columns": {"stage": "stage", "amount": "amount", "owner": "account"}}
    settings = {MAPPINGS_SETTING: {header_signature(header): old_shape}}
    mapping, remembered, _ = next_file(settings)
    assert remembered
    assert mapping.column("owner") == "account"  # the remembered choice
    assert mapping.column("lead_source") == "lead_source"  # nothing was left out: the proposal stands


def test_a_stage_override_saved_with_underscores_still_applies():
    # Saved when names kept their underscores: "Closed_Won" was stored as "closed_won".
    settings = {"stage_outcomes": {"closed_won": "lost"}, "lead_sources": {"trade_show": "sales"}}
    data = (
        b"deal_id,stage,amount,lead_source\n"
        b"A,Closed_Won,100,Trade_Show\n"
        b"B,closed won,200,Trade show\n"
        b"C,Closed Lost,300,Web\n"
    )
    raw = read_table(data, "deals.csv")
    mapping, _ = mapping_for({}, raw.columns, raw.table, "deals")
    report = run_import(raw, mapping, workshop_rules(settings)).report
    assert report.outcomes == {"won": 0, "lost": 3, "open": 0}  # A and B by the override, C by the shipped rule
    assert report.source_groups == {"sales": 2, "marketing": 1}  # both spellings of the trade show; Web


def test_when_an_old_and_a_new_override_name_the_same_stage_the_new_one_wins():
    rules = ImportRules.with_overrides({"closed won": "won", "closed_won": "lost"})
    assert rules.outcome("Closed_Won") == ("won", True)
    rules = ImportRules.with_overrides({"closed_won": "lost", "closed won": "won"})
    assert rules.outcome("Closed_Won") == ("won", True)
