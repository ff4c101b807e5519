#!/usr/bin/env python3
"""Reads an export of the inspector with Python's own json and csv modules and compares it field by field with
the full-fidelity JSON Lines export of the same memories (the reference). Exit 0 when they agree."""
import csv
import json
import re
import sys


def load_reference(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cell(value):
    """What a memory field looks like in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def check_json(path, reference):
    with open(path, encoding="utf-8") as f:
        records = json.load(f)
    if records != reference:
        for i, (a, b) in enumerate(zip(records, reference)):
            if a != b:
                fail(f"json record {i} differs: {a} != {b}")
        fail(f"json has {len(records)} records, the reference {len(reference)}")


def check_csv(path, reference):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != len(reference):
        fail(f"csv has {len(rows)} rows, the reference {len(reference)}")
    for row, ref in zip(rows, reference):
        if list(row.keys()) != list(ref.keys()):
            fail(f"csv header {list(row.keys())} != {list(ref.keys())}")
        for key, value in ref.items():
            if row[key] != cell(value):
                fail(f"csv {ref['id']}.{key}: {row[key]!r} != {cell(value)!r}")


def check_subcog(path, reference):
    canonical_ns = {"decisions", "patterns", "learnings", "context", "tech-debt", "blockers", "progress", "apis",
                    "config", "security", "performance", "testing", "help", "prompts"}
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    if len(records) != len(reference):
        fail(f"subcog export has {len(records)} records, the reference {len(reference)}")
    for rec, ref in zip(records, reference):
        expected_keys = ["id", "content", "namespace", "domain", "project_id", "branch"]
        if ref["file_path"] is not None:
            expected_keys.append("file_path")
        expected_keys += ["status", "created_at", "updated_at", "tags"]
        if ref["source"] is not None:
            expected_keys.append("source")
        if list(rec.keys()) != expected_keys:
            fail(f"subcog {ref['id']}: keys {list(rec.keys())} != {expected_keys}")
        for key in expected_keys:
            if key in ("namespace", "status"):
                continue
            if rec[key] != ref[key]:
                fail(f"subcog {ref['id']}.{key}: {rec[key]!r} != {ref[key]!r}")
        if rec["namespace"] not in canonical_ns or rec["namespace"] != ref["namespace"].lower():
            fail(f"subcog {ref['id']}: namespace {rec['namespace']!r} for {ref['namespace']!r}")
        if rec["status"] != ref["status"].lower():
            fail(f"subcog {ref['id']}: status {rec['status']!r} for {ref['status']!r}")


def check_markdown(path, reference):
    """Reads the sections in order; content blocks are skipped by their fences, so headings inside them are safe."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    pos = 0
    for ref in reference:
        head = re.compile(r"## (.*)\n").match(text, pos)
        if not head:
            fail(f"markdown: no section for {ref['id']} at offset {pos}")
        if head.group(1) != ref["id"]:
            fail(f"markdown section {head.group(1)!r} != {ref['id']!r}")
        fence = re.compile(r"^(`{3,})markdown\n", re.M).search(text, head.end())
        if not fence:
            fail(f"markdown {ref['id']}: no content block")
        table = dict(re.findall(r"^\| (\w+) \| (.*) \|$", text[head.end():fence.start()], flags=re.M))
        for key in ("namespace", "status", "domain", "created_at"):
            value = table.get(key, "").replace("\\|", "|")
            if key == "created_at":
                value = re.search(r"`(\d+)`", value).group(1) if "`" in value else value
            if value != cell(ref[key]):
                fail(f"markdown {ref['id']}.{key}: {table.get(key)!r} != {ref[key]!r}")
        closing = "\n" + fence.group(1) + "\n"
        end = text.find(closing, fence.end() - 1)
        if end < 0:
            fail(f"markdown {ref['id']}: content block not closed")
        content = text[fence.end():end + 1] if ref["content"].endswith("\n") else text[fence.end():end]
        if content != ref["content"]:
            fail(f"markdown {ref['id']}: content differs")
        pos = end + len(closing) + 1
    if text[pos:].strip():
        fail("markdown: text after the last section")


def main():
    fmt, path, reference_path = sys.argv[1:4]
    reference = load_reference(reference_path)
    {"json": check_json, "csv": check_csv, "subcog": check_subcog, "md": check_markdown}[fmt](path, reference)
    print(f"{fmt}: {len(reference)} records agree")


if __name__ == "__main__":
    main()
