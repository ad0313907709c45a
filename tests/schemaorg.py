"""Check JSON-LD against the schema.org vocabulary: known types, properties where they belong.

A test helper, read from the release in ../shared/data/schemaorg/. For every node it checks that
the type is a schema.org class, that each property exists and that its domain includes the node's
type (or a class it descends from), and that each value fits the property's range.
"""

import datetime
import json
from functools import cache
from pathlib import Path

DATA_TYPES = {
    "schema:Text": str,
    "schema:URL": str,
    "schema:Date": datetime.date,
    "schema:DateTime": datetime.datetime,
    "schema:Number": (int, float),
    "schema:Integer": int,
    "schema:Boolean": bool,
}


def _ids(value) -> set[str]:
    if value is None:
        return set()
    values = value if isinstance(value, list) else [value]
    return {item["@id"] for item in values}


class Vocabulary:
    def __init__(self, path: Path):
        graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
        self.parents, self.domains, self.ranges = {}, {}, {}
        for node in graph:
            types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            if "rdfs:Class" in types:
                self.parents[node["@id"]] = _ids(node.get("rdfs:subClassOf"))
            if "rdf:Property" in types:
                self.domains[node["@id"]] = _ids(node.get("schema:domainIncludes"))
                self.ranges[node["@id"]] = _ids(node.get("schema:rangeIncludes"))

    def ancestors(self, cls: str) -> set[str]:
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.parents.get(current, ()))
        return seen

    def problems(self, node: dict, where: str = "") -> list[str]:
        """Every way the node breaks the vocabulary; empty when it is sound."""
        found = []
        kind = f"schema:{node.get('@type')}"
        if kind not in self.parents:
            return [f"{where or 'root'}: unknown type {kind}"]
        lineage = self.ancestors(kind)
        for key, value in node.items():
            if key.startswith("@"):
                continue
            prop, here = f"schema:{key}", f"{where}{node['@type']}.{key}"
            if prop not in self.domains:
                found.append(f"{here}: unknown property")
                continue
            if not self.domains[prop] & lineage:
                found.append(f"{here}: not a property of {node['@type']}")
            for item in value if isinstance(value, list) else [value]:
                found.extend(self._value_problems(prop, item, here))
        return found

    def _value_problems(self, prop: str, item, here: str) -> list[str]:
        ranges = self.ranges[prop]
        if isinstance(item, dict):
            item_lineage = self.ancestors(f"schema:{item.get('@type')}")
            problems = self.problems(item, here + ".")
            if not ranges & item_lineage:
                problems.append(f"{here}: a {item.get('@type')} is outside its range")
            return problems
        for data_type, python_type in DATA_TYPES.items():
            if data_type in ranges and _fits(item, data_type, python_type):
                return []
        return [f"{here}: {item!r} fits none of {sorted(ranges)}"]


def _fits(item, data_type: str, python_type) -> bool:
    if python_type is datetime.date:
        try:
            datetime.date.fromisoformat(item)
        except (TypeError, ValueError):
            return False
        return True
    if python_type is datetime.datetime:
        try:
            datetime.datetime.fromisoformat(item)
        except (TypeError, ValueError):
            return False
        return True
    if python_type is int and isinstance(item, bool):
        return False
    return isinstance(item, python_type)


@cache
def vocabulary(shared_data: Path) -> Vocabulary:
    return Vocabulary(shared_data / "schemaorg" / "schemaorg-current-https-v30.0.jsonld")
