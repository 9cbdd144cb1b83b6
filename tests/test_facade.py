"""The public facade: small, complete, and cheap to import."""
from __future__ import annotations

import subprocess
import sys

import par


def test_every_public_name_resolves_to_its_module():
    for name in par.__all__:
        obj = getattr(par, name)
        assert obj.__name__ == name


def test_import_par_loads_no_heavy_library():
    code = ("import sys, par; heavy = [m for m in ('pandas', 'numpy', 'sqlalchemy', 'plotly', "
            "'streamlit', 'yaml') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_name_is_an_attribute_error():
    try:
        par.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
