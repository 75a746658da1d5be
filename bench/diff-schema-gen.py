#!/usr/bin/env python3
"""Two versions of one generated schema for bench/diff-vs-migra.sh.

Usage: bench/diff-schema-gen.py N SEED OUTDIR   writes OUTDIR/a.sql and OUTDIR/b.sql

Version A: N tables (identity key, 3 to 8 typed columns, a foreign key to an earlier table on
about half of them, 1 or 2 indexes, a few checks, 3 rows of data), two enum types, a view on
every 8th table and a join view on every 25th, a SQL or PL/pgSQL function on every 5th table,
comments. Version B is A after the changes a schema sees over a few months of releases: columns
added and dropped, types changed (some need a cast: digits kept in text become integer), new
indexes and foreign keys, changed and new views, changed and new functions, a few tables dropped
and added, a new enum value, changed comments. The same N and SEED give the same files.
"""
import copy
import random
import sys

TYPES = ["integer", "bigint", "text", "varchar(64)", "numeric(12,2)", "boolean", "jsonb", "date",
         "status_t", "digits"]
# Type changes B makes, with the cast each needs (None: PostgreSQL converts by itself).
RETYPE = {"integer": ("bigint", None), "varchar(64)": ("text", None),
          "digits": ("integer", "integer"), "date": ("timestamptz", None),
          "numeric(12,2)": ("numeric(14,2)", None)}


def value(typ, row, col):
    """A literal of TYPE distinct per row, so unique indexes hold on the data."""
    return {"integer": f"{row * 10 + col}", "bigint": f"{row * 1000 + col}",
            "text": f"'t{row}_{col}'", "varchar(64)": f"'v{row}_{col}'",
            "numeric(12,2)": f"{row}.{col:02d}", "boolean": "true" if row % 2 else "false",
            "jsonb": f"'{{\"r\": {row}}}'", "date": f"date '2024-01-{row + 1:02d}'",
            "status_t": "'active'", "digits": f"'{row * 100 + col}'", "timestamptz": "now()"}[typ]


def sqltype(typ):
    return "text" if typ == "digits" else typ


class Schema:
    def __init__(self):
        self.enums = {"status_t": ["new", "active", "archived"],
                      "priority_t": ["low", "normal", "high"]}
        self.tables = {}     # name -> {"cols": [[name, type, notnull, default]], "fks": {col: t}}
        self.indexes = {}    # name -> (table, unique, [cols], where)
        self.checks = {}     # name -> (table, expression)
        self.views = {}      # name -> (body, [tables it reads])
        self.functions = {}  # name -> (signature, returns, language, body, table)
        self.comments = {}   # ("TABLE", "t") or ("COLUMN", "t.c") -> text
        self.used = set()    # "table.column" some index, check or view reads

    def render(self, rows):
        out = ["SET client_min_messages = warning;"]
        for name, labels in self.enums.items():
            out.append(f"CREATE TYPE {name} AS ENUM ({', '.join(repr(l) for l in labels)});")
        for t, d in self.tables.items():
            cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
            for c, typ, notnull, default in d["cols"]:
                cols.append(f"{c} {sqltype(typ)}" + (" NOT NULL" if notnull else "")
                            + (f" DEFAULT {default}" if default else ""))
            out.append(f"CREATE TABLE {t} (\n  " + ",\n  ".join(cols) + "\n);")
        for t, d in self.tables.items():
            for c, ref in d["fks"].items():
                out.append(f"ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_fkey FOREIGN KEY ({c}) "
                           f"REFERENCES {ref} (id);")
        for name, (t, expr) in self.checks.items():
            out.append(f"ALTER TABLE {t} ADD CONSTRAINT {name} CHECK ({expr});")
        for name, (t, unique, cols, where) in self.indexes.items():
            out.append(f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {t} "
                       f"({', '.join(cols)}){f' WHERE {where}' if where else ''};")
        for name, (body, _) in self.views.items():
            out.append(f"CREATE VIEW {name} AS {body};")
        for name, (sig, returns, lang, body, _) in self.functions.items():
            out.append(f"CREATE FUNCTION {name}({sig}) RETURNS {returns} LANGUAGE {lang} STABLE "
                       f"AS $fn$ {body} $fn$;")
        for (kind, target), text in self.comments.items():
            out.append(f"COMMENT ON {kind} {target} IS '{text}';")
        if rows:
            for t, d in self.tables.items():
                names = [c[0] for c in d["cols"] if c[0] not in ("parent_id", "ref_id")]
                types = {c[0]: c[1] for c in d["cols"]}
                for r in range(rows):
                    vals = [value(types[c], r, i) for i, c in enumerate(names)]
                    out.append(f"INSERT INTO {t} ({', '.join(names)}) VALUES ({', '.join(vals)});")
        return "\n".join(out) + "\n"


def add_table(s, rng, t, earlier):
    cols, fks = [["name", "text", True, None]], {}
    for i in range(rng.randint(3, 8)):
        typ = rng.choice(TYPES)
        notnull = rng.random() < 0.3 and typ not in ("jsonb",)
        default = {"integer": "0", "boolean": "false", "status_t": "'new'"}.get(typ)
        cols.append([f"c{i}_{typ.split('(')[0].replace('_t', '')}", typ, notnull,
                     default if notnull else None])
    if earlier and rng.random() < 0.5:
        cols.append(["parent_id", "bigint", False, None])
        fks["parent_id"] = rng.choice(earlier)
    cols.append(["ref_id", "bigint", False, None])
    cols.append(["created_at", "timestamptz", True, "now()"])
    s.tables[t] = {"cols": cols, "fks": fks}
    indexable = [c for c in cols[1:] if c[1] not in ("jsonb", "boolean") and c[0] != "ref_id"]
    for k in range(rng.randint(1, 2)):
        c = rng.choice(indexable)
        unique = c[1] in ("text", "varchar(64)", "bigint") and rng.random() < 0.3
        where = "created_at > '2020-01-01'" if rng.random() < 0.15 else None
        s.indexes[f"{t}_{c[0]}_idx{k}"] = (t, unique, [c[0]], where)
        s.used.add(f"{t}.{c[0]}")
    nums = [c for c in cols if c[1] in ("integer", "numeric(12,2)")]
    if nums and rng.random() < 0.2:
        s.checks[f"{t}_{nums[0][0]}_check"] = (t, f"{nums[0][0]} >= 0")
        s.used.add(f"{t}.{nums[0][0]}")
    if rng.random() < 0.3:
        s.comments[("TABLE", t)] = f"the {t} records"
    if rng.random() < 0.1:
        s.comments[("COLUMN", f"{t}.name")] = "shown to users"


def add_view(s, rng, t, name):
    picked = rng.sample(s.tables[t]["cols"][1:-1], min(2, len(s.tables[t]["cols"]) - 2))
    cols = ["id", "name"] + [c[0] for c in picked]
    s.views[name] = (f"SELECT {', '.join(cols)} FROM {t} WHERE created_at > '2020-01-01'", [t])
    s.used.update(f"{t}.{c}" for c in cols)


def add_function(s, rng, t, n):
    if rng.random() < 0.5:
        s.functions[f"{t}_count"] = ("p_min bigint", "bigint", "sql",
                                     f"SELECT count(*) FROM {t} WHERE id >= p_min", t)
    else:
        s.functions[f"{t}_label"] = (
            "p_id bigint", "text", "plpgsql",
            f"DECLARE r text; BEGIN SELECT name INTO r FROM {t} WHERE id = p_id; "
            f"RETURN coalesce(r, '{n}'); END;", t)


def version_a(n, rng):
    s = Schema()
    names = [f"t{i:04d}" for i in range(1, n + 1)]
    for i, t in enumerate(names):
        add_table(s, rng, t, names[:i])
    for i, t in enumerate(names):
        if i % 8 == 0:
            add_view(s, rng, t, f"v_{t}")
        if i % 25 == 24:
            o = names[i - 1]
            s.views[f"v_{t}_with_{o}"] = (
                f"SELECT a.id, a.name, b.name AS other_name FROM {t} a JOIN {o} b ON b.id = a.id",
                [t, o])
            s.used.update({f"{t}.name", f"{o}.name"})
        if i % 5 == 0:
            add_function(s, rng, t, i)
    return s


def referenced(s, t):
    """Whether another table, a view or a function depends on T."""
    return (any(t in d["fks"].values() for d in s.tables.values())
            or any(t in v[1] for v in s.views.values()))


def change_table(b, rng, t):
    d = b.tables[t]
    r = rng.random()
    if r < 0.12:
        typ = rng.choice(["text", "integer", "boolean", "jsonb", "priority_t"])
        default = {"integer": "0", "boolean": "false", "priority_t": "'normal'"}.get(typ)
        notnull = default is not None and rng.random() < 0.5
        d["cols"].append([f"added_{typ.replace('_t', '')}", typ, notnull, default])
    elif r < 0.18:
        free = [c for c in d["cols"][1:-1]
                if f"{t}.{c[0]}" not in b.used and c[0] not in d["fks"] and c[0] != "ref_id"]
        if free:
            d["cols"].remove(rng.choice(free))
    elif r < 0.30:
        changeable = [c for c in d["cols"] if c[1] in RETYPE and f"{t}.{c[0]}" not in b.used]
        if changeable:
            c = rng.choice(changeable)
            c[1] = RETYPE[c[1]][0]
            if c[3] and c[1] == "integer":
                c[3] = None
    if rng.random() < 0.15:
        cands = [c for c in d["cols"][1:] if c[1] not in ("jsonb", "boolean")]
        c = rng.choice(cands)
        b.indexes[f"{t}_{c[0]}_new_idx"] = (t, False, [c[0], "created_at"], None)
        b.used.add(f"{t}.{c[0]}")
    if rng.random() < 0.06:
        d["fks"]["ref_id"] = rng.choice([o for o in b.tables if o != t])
    if rng.random() < 0.05:
        b.comments[("TABLE", t)] = f"{t}: reviewed in release 2"


def version_b(a, rng, n):
    b = copy.deepcopy(a)
    b.enums["status_t"].insert(2, "suspended")
    for t in list(b.tables):
        change_table(b, rng, t)
    for name in list(b.views):
        if rng.random() < 0.3 and len(b.views[name][1]) == 1:
            body, tables = b.views[name]
            b.views[name] = (body.replace("WHERE created_at > '2020-01-01'",
                                          "WHERE created_at > '2023-06-01' AND name <> ''"), tables)
    for name in list(b.functions):
        sig, returns, lang, body, t = b.functions[name]
        if rng.random() < 0.3 and t in b.tables:
            b.functions[name] = (sig, returns, lang, body.replace("WHERE id", "WHERE id + 0"), t)
        elif rng.random() < 0.1 and returns == "bigint":
            body = body.replace("count(*)", "count(*)::numeric")
            b.functions[name] = (sig, "numeric", lang, body, t)
    for t in rng.sample([t for t in a.tables if f"v_{t}" not in b.views], max(1, n // 50)):
        add_view(b, rng, t, f"v_{t}")
    dropped = [t for t in b.tables if not referenced(b, t)]
    for t in rng.sample(dropped, max(1, n // 60)):
        del b.tables[t]
        for coll in (b.indexes, b.checks):
            for k in [k for k, v in coll.items() if v[0] == t]:
                del coll[k]
        for k in [k for k, v in b.functions.items() if v[4] == t]:
            del b.functions[k]
        for k in [k for k in b.comments if k[1].split(".")[0] == t]:
            del b.comments[k]
    existing = list(b.tables)
    for i in range(max(1, n // 40)):
        t = f"n{i:04d}"
        add_table(b, rng, t, existing)
        add_view(b, rng, t, f"v_{t}")
        add_function(b, rng, t, i)
    return b


def main():
    n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    a = version_a(n, rng)
    b = version_b(a, rng, n)
    with open(f"{out}/a.sql", "w") as f:
        f.write(a.render(rows=3))
    with open(f"{out}/b.sql", "w") as f:
        f.write(b.render(rows=0))


if __name__ == "__main__":
    main()
