"""The fast JSON writer of ``sla --format json`` gives the text the standard library gave."""

from __future__ import annotations

import json

from gitdesk.sla.report import dumps_json


def test_fast_json_matches_the_standard_library_text_for_untrusted_text_and_numbers() -> None:
    document = {
        "tickets": [{"id": "INC-1", "client": "Café \"del\" <Mar> \\ 😀\t\u2028", "status": None, "cycles": 3,
                     "targets": {}, "breached": False, "notes": []}],
        "summary": {"uptime": {"30": {"uptime": 0.998765, "target": 99.8, "compliance": 0.5}}, "big": 2**63 - 1},
    }
    text = dumps_json(document)
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(text) == document


def test_an_integer_orjson_refuses_still_comes_out() -> None:
    assert json.loads(dumps_json({"n": 2**70})) == {"n": 2**70}
