"""The condition builder's catalog, as the JSON the front-end component reads."""

from routing import catalog


def catalog_json() -> dict:
    return {
        "fields": [
            {"path": f.path, "label": f.label, "type": f.type, "choices": list(f.choices)}
            for f in catalog.FIELDS.values()
        ],
        "operators": {
            kind: [[op, catalog.OPERATOR_LABELS[op]] for op in ops]
            for kind, ops in catalog.OPERATORS_BY_TYPE.items()
        },
        "open_prefixes": [["custom.", "Custom field"], ["crm.fields.", "CRM field"]],
    }
