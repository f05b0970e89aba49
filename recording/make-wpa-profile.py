#!/usr/bin/env python3
"""Writes recording/MonitorNetwork.wpaProfile from schema/events.json.

WPA's Generic Events table names payload fields by position ("Field 1", "Field 2", ...), so a profile written by hand
shifts silently when the contract gains a field. This generator takes every field number from the contract's field
order, and WprProfileTests / WpaProfileTests fail when the committed profile differs from what it writes.

    python3 recording/make-wpa-profile.py            # rewrite recording/MonitorNetwork.wpaProfile
    python3 recording/make-wpa-profile.py --check    # exit 1 if the committed profile is stale

The table's shape, graph GUID and column GUIDs are the facts of ../shared/wpa/GENERIC-EVENTS.md (read from profiles
WPA itself exported). Its column GUIDs are the EventSource/TraceLogging name hash of the column's name (the same hash
that gives our provider GUID): the rule reproduces every name-hashed GUID that file lists (Field 1-7, Thread Name,
Thread Activity Tag, Annotation), and gives "Field 8" onwards, which our events need (FlowStats' byte counters are
fields 9-12). Only WPA on Windows can confirm those columns; README's Windows checklist says how.
"""
import hashlib
import json
import os
import sys
import uuid
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "schema", "events.json")
OUT = os.path.join(ROOT, "recording", "MonitorNetwork.wpaProfile")

GENERIC_EVENTS_GRAPH = "04f69f98-176e-4d1c-b44e-97f734996ab8"
# Columns that are not name-hashed, as the facts file lists them.
FIXED_COLUMNS = {
    "Process": "7ee6a5ff-1faf-428a-a7c2-7d2cb2b5cf26",
    "Provider Name": "8b4c40f8-0d99-437d-86ab-56ec200137dc",
    "Task Name": "511777f7-30ef-4e86-bd0b-0facaf23a0d3",
    "Event Name": "90fe0b49-e3bb-440f-b829-5813c42108a1",
    "Cpu": "3be8610c-babb-4154-9970-1b2210928024",
    "Count": "342f7677-17b2-4c7e-b9ec-e89612c49792",
    "ThreadId": "edf01e5d-3644-4dbc-ab9d-f8954e6db6ea",
    "Time": "bbfc990a-b6c9-4dcd-858b-f040ab4a1efe",
}
# EventSource's namespace for name-hashed GUIDs (EventSource.GetGuid).
NAME_HASH_NAMESPACE = bytes.fromhex("482C2DB2C39047C887F81A15BFC130FB")


def name_hash_guid(name):
    """The EventSource/TraceLogging name hash: SHA-1 over the namespace and the UTF-16BE name, version nibble 5."""
    digest = bytearray(hashlib.sha1(NAME_HASH_NAMESPACE + name.encode("utf-16-be")).digest()[:16])
    digest[7] = (digest[7] & 0x0F) | 0x50
    return str(uuid.UUID(bytes_le=bytes(digest)))


def column_guid(name):
    return FIXED_COLUMNS.get(name) or name_hash_guid(name)


def field_number(events, event_names, field_name):
    """The 1-based position of field_name, the same in every one of event_names (else the preset is wrong)."""
    numbers = set()
    for name in event_names:
        fields = [f["name"] for f in events[name]["fields"]]
        if field_name not in fields:
            raise SystemExit(f"make-wpa-profile: the contract's {name} has no field {field_name}: update the presets")
        numbers.add(fields.index(field_name) + 1)
    if len(numbers) != 1:
        raise SystemExit(f"{field_name} stands at different positions in {event_names}: {sorted(numbers)}")
    return numbers.pop()


def preset_spec(contract):
    events = {e["name"]: e for e in contract["events"]}
    provider = contract["provider"]["name"]
    flow_events = [e["name"] for e in contract["events"] if e["keyword"] == "Flow"]
    health_events = [e["name"] for e in contract["events"] if e["keyword"] == "Health"]
    identity = ["Direction", "Protocol", "LocalAddress", "LocalPort", "RemoteAddress", "RemotePort"]
    return provider, events, [
        {
            "name": "MonitorNetwork: Flows by process",
            "events": flow_events,
            "keys": [("field", "ProcessId"), ("column", "Event Name")],
            "fields": identity + ["FlowId"],
            "sum_fields": [],
            "graph": "Count",
            "layout": "DataTable",
        },
        {
            "name": "MonitorNetwork: Bytes by remote",
            # FlowDeleted carries each ended flow's totals, so summing it never counts a byte twice (FlowStats are
            # cumulative: summing them would).
            "events": ["FlowDeleted"],
            "keys": [("field", "RemoteAddress"), ("field", "RemotePort")],
            "fields": ["ProcessId", "Protocol"],
            "sum_fields": ["BytesIn", "BytesOut", "PacketsIn", "PacketsOut"],
            "graph": "Count",
            "layout": "DataTable",
        },
        {
            "name": "MonitorNetwork: Timeline",
            "events": [e["name"] for e in contract["events"]],
            "keys": [("column", "Event Name")],
            "fields": [],
            "sum_fields": [],
            "graph": "Count",
            "layout": "GraphAndLegend",
        },
        {
            "name": "MonitorNetwork: Health and loss",
            "events": health_events,
            "keys": [("column", "Event Name")],
            # The counters DriverHealth and DriverStopping share, in their order; the other health events' fields
            # at those positions are named in the comments.
            "fields": [f["name"] for f in events["DriverHealth"]["fields"]],
            "sum_fields": [],
            "graph": "Count",
            "layout": "All",
            "fields_of": "DriverHealth",
        },
    ]


def filter_query(provider, event_names):
    if len(event_names) == 1:
        return f'[Provider Name]:="{provider}" [Event Name]:="{event_names[0]}"'
    return f'[Provider Name]:="{provider}" [Event Name]:*"^({"|".join(event_names)})$"'


def add_column(columns, name, visible, priority, aggregation=None, comment=None):
    if comment is not None:
        columns.append(ET.Comment(f" {comment} "))
    col = ET.SubElement(columns, "Column", {"Guid": column_guid(name), "Name": name})
    if aggregation is not None:
        col.set("AggregationMode", aggregation)
    if name == "Count":
        col.set("SortOrder", "Descending")
    col.set("SortPriority", str(priority))
    col.set("Width", "120" if name.startswith("Field") else "100")
    if visible:
        col.set("IsVisible", "true")
    return col


def build_preset(graph, provider, events, spec):
    basis = spec.get("fields_of")
    def number(field):
        return field_number(events, [basis] if basis else spec["events"], field)

    def comment(field):
        where = basis or ", ".join(spec["events"])
        return f"Field {number(field)} = {field} ({where}; schema/events.json)"

    preset = ET.SubElement(graph, "Preset", {"Name": spec["name"], "BarGraphIntervalCount": "50"})
    columns_el = ET.Element("Columns")
    order = []  # (name, visible, aggregation, comment)
    for kind, value in spec["keys"]:
        if kind == "field":
            order.append((f"Field {number(value)}", True, None, comment(value)))
        else:
            order.append((value, True, None, None))
    key_count = len(order)
    for field in spec["fields"]:
        order.append((f"Field {number(field)}", True, None, comment(field)))
    for field in spec["sum_fields"]:
        order.append((f"Field {number(field)}", True, "Sum", comment(field)))
    left_of_blue_bar = len(order)
    order.append((spec["graph"], True, "Sum" if spec["graph"] == "Count" else None, None))
    order.append(("Time", spec["layout"] != "DataTable", None, None))
    # The filter's columns must be in the preset; shown only where they are keys.
    named = {n for n, _, _, _ in order}
    for hidden in ("Provider Name", "Event Name", "Process", "ThreadId", "Cpu"):
        if hidden not in named:
            order.append((hidden, False, None, None))
    for priority, (name, visible, aggregation, note) in enumerate(order):
        add_column(columns_el, name, visible, priority, aggregation, note)

    preset.set("GraphColumnCount", str(left_of_blue_bar))
    preset.set("KeyColumnCount", str(key_count))
    preset.set("LeftFrozenColumnCount", str(key_count))
    preset.set("RightFrozenColumnCount", str(left_of_blue_bar))
    preset.set("InitialFilterQuery", filter_query(provider, spec["events"]))
    preset.set("InitialFilterShouldKeep", "true")
    meta = ET.SubElement(preset, "MetadataEntries")
    ET.SubElement(meta, "MetadataEntry", {"Guid": FIXED_COLUMNS["ThreadId"], "Name": "ThreadId", "ColumnMetadata": "EndThreadId"})
    ET.SubElement(meta, "MetadataEntry", {"Guid": FIXED_COLUMNS["Time"], "Name": "Time", "ColumnMetadata": "StartTime"})
    ET.SubElement(meta, "MetadataEntry", {"Guid": FIXED_COLUMNS["Time"], "Name": "Time", "ColumnMetadata": "EndTime"})
    ET.SubElement(preset, "HighlightEntries")
    preset.append(columns_el)


def build(contract):
    provider, events, specs = preset_spec(contract)
    ET.register_namespace("", "http://tempuri.org/SerializableElement.xsd")
    root = ET.Element("WpaProfileContainer", {
        "xmlns:xsd": "http://www.w3.org/2001/XMLSchema",
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "Version": "2",
        "xmlns": "http://tempuri.org/SerializableElement.xsd",
    })
    root.append(ET.Comment(
        f" Generated by recording/make-wpa-profile.py from schema/events.json (contract version {contract['version']}); "
        "do not edit. Field N is the N-th field of the event in the contract. "))
    content = ET.SubElement(root, "Content", {"xsi:type": "WpaProfile2"})
    sessions = ET.SubElement(content, "Sessions")
    ET.SubElement(ET.SubElement(sessions, "Session", {"Index": "0"}), "FileReferences")
    views = ET.SubElement(content, "Views")
    view = ET.SubElement(views, "View", {"Guid": name_hash_guid("MonitorNetwork view"), "Title": "MonitorNetwork", "IsVisible": "true"})
    graphs = ET.SubElement(view, "Graphs")
    for spec in specs:
        graph = ET.SubElement(graphs, "Graph", {"Guid": GENERIC_EVENTS_GRAPH, "LayoutStyle": spec["layout"], "GraphHeight": "125", "IsShown": "true"})
        build_preset(graph, provider, events, spec)
    ET.SubElement(ET.SubElement(view, "SessionIndices"), "SessionIndex").text = "0"
    # The same presets, kept by name, so that each one is offered in the table's preset list.
    modified = ET.SubElement(content, "ModifiedGraphs")
    schema = ET.SubElement(modified, "GraphSchema", {"Guid": GENERIC_EVENTS_GRAPH})
    ET.SubElement(schema, "ModifiedPresets")
    persisted = ET.SubElement(schema, "PersistedPresets")
    for spec in specs:
        build_preset(persisted, provider, events, spec)
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def main():
    with open(SCHEMA, encoding="utf-8") as f:
        text = build(json.load(f))
    if "--check" in sys.argv[1:]:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("recording/MonitorNetwork.wpaProfile is stale: run python3 recording/make-wpa-profile.py", file=sys.stderr)
                return 1
        return 0
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
