"""An association type's names scoped by one of its role types are its readings (TMDM, LTM)."""
from __future__ import annotations

from ctxgen.api import load_map

from support import write_files as write


def test_role_scoped_names_read_from_that_role(tmp_path):
    write(tmp_path, {
        "born-in.md": "---\ntitle: Born in\nnames:\n  - Born in\n  - {value: Birthplace of, scope: [place]}\n---\n",
        "puccini.md": "---\nassociations:\n  born-in: {roles: {person: puccini, place: lucca}}\n---\n",
        "lucca.md": "# Lucca\n",
        "wrote.md": "---\nnames:\n  - wrote\n  - {value: was written by, scope: [work]}\n  - {value: authored, scope: [author]}\n---\n",
        "ctxgen.yaml": "schema:\n  association_types:\n    wrote: {roles: [author, work], reading: {author: wrote}}\n",
        "ada.md": "---\nassociations:\n  wrote: notes\n---\n", "notes.md": "# Notes\n",
    })
    r = load_map(tmp_path)
    assert r.diagnostics.sorted() == []
    schema = r.config.schema.association_types
    assert schema["born-in"].reading == {"person": "Born in", "place": "Birthplace of"}
    assert schema["born-in"].roles == ["person", "place"]
    # the schema's own reading wins
    assert schema["wrote"].reading == {"author": "wrote", "work": "was written by"}

