"""A published scorecard frozen as bytes and read back (par.store.publication).

Every frame of the Scorecard (units, node scores and maxima, leaves) is an Arrow IPC stream
with its index; a JSON header line says the as-of period and each stream's length.
"""
from __future__ import annotations

import io
import json

import pyarrow as pa

from par.domain.models import CriteriaSet
from par.domain.periods import parse_period

FRAMES = ("units", "node_score", "node_max", "leaves")


def freeze(card) -> bytes:
    """A scorecard's frames as one blob: a JSON header line, then an Arrow IPC stream per
    frame (index kept)."""
    parts, sizes = [], []
    for name in FRAMES:
        frame = getattr(card, name)
        sink = io.BytesIO()
        table = pa.Table.from_pandas(frame, preserve_index=True)
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        parts.append(sink.getvalue())
        sizes.append(len(parts[-1]))
    header = json.dumps({"as_of": str(card.as_of), "frames": dict(zip(FRAMES, sizes))}).encode()
    return header + b"\n" + b"".join(parts)


def thaw(blob: bytes, criteria: CriteriaSet):
    """The Scorecard ``freeze`` stored (``criteria``: the set it was scored with)."""
    from par.engine.scoring import Scorecard

    head, _, body = bytes(blob).partition(b"\n")
    header = json.loads(head)
    frames, at = {}, 0
    for name in FRAMES:
        size = header["frames"][name]
        with pa.ipc.open_stream(pa.py_buffer(body[at:at + size])) as reader:
            frames[name] = reader.read_all().to_pandas()
        at += size
    return Scorecard(criteria, parse_period(header["as_of"]), **frames)
