"""Parquet input and output with pyarrow (the 'parquet' extra), streamed by record batches and row groups.

Rows are read as JSON-safe records (timestamps, dates, times and decimals as ISO/decimal strings, durations
as integers, binary as base64), so they travel through the JSONL spool unchanged; the writer casts them
back to the input's column types, which Arrow does exactly (nanoseconds and time zones included).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path, PurePath
from typing import Any

import orjson

from dedup.io.records import (
    BadRecord,
    Fields,
    InputError,
    MissingExtraError,
    id_name,
    json_type,
    page_from_record,
    url_problem,
)
from dedup.io.writers import AtomicOutput, json_default, shard_path
from dedup.page import Page

__all__ = [
    "ParquetOutput",
    "input_schema",
    "json_safe_records",
    "output_schema",
    "read_parquet",
    "record_batch",
    "row_page",
    "write_parquet",
]

_BATCH_ROWS = 1024  # rows per record batch when reading
ROW_GROUP_BYTES = 32 << 20  # spooled JSON bytes per written row group


def _arrow(purpose: str = "input") -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, imported lazily; MissingExtraError naming the extra when absent."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        message = f"Parquet {purpose} needs the 'parquet' extra: pip install 'dedup[parquet]'"
        raise MissingExtraError(message) from exc
    return pyarrow, pyarrow.parquet


def _parquet_file(path: Path) -> Any:
    """The opened ParquetFile; InputError if it is not Parquet."""
    pa, pq = _arrow()
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, ValueError) as e:
        raise InputError(f"{path}: not a readable Parquet file ({e})") from e


def column_names(path: Path) -> list[str]:
    """The columns of a Parquet file."""
    return list(_parquet_file(path).schema_arrow.names)


def _check_text_column(schema: Any, path: Path, fields: Fields) -> None:
    """InputError unless the schema has the text column as strings."""
    pa, _ = _arrow()
    if fields.text not in schema.names:
        raise InputError(
            f"{path}: no column {fields.text!r} (columns: {', '.join(schema.names)}); "
            "name the text column with --text-field"
        )
    kind = schema.field(fields.text).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise InputError(f"{path}: column {fields.text!r} is {kind}, expected strings")


def read_parquet(path: Path, fields: Fields, site: str | None) -> Iterator[Page | BadRecord]:
    """A Page (or a BadRecord for a null text) for every row, one record batch at a time."""
    pa, _ = _arrow()
    parquet_file = _parquet_file(path)
    _check_text_column(parquet_file.schema_arrow, path, fields)
    row = 0
    try:
        for batch in parquet_file.iter_batches(batch_size=_BATCH_ROWS):
            for record in json_safe_records(batch):
                row += 1
                yield row_page(record, path, row, fields, site)
    except pa.ArrowException as e:
        raise InputError(f"{path}: broken Parquet data after {row} rows ({e}); re-copy the file") from e


def json_safe_records(batch: Any) -> list[dict[str, Any]]:
    """The rows of a record batch as JSON-safe records (see _safe_type; binary as base64)."""
    return list(_json_safe(batch).to_pylist())


def row_page(
    record: dict[str, Any], path: PurePath, row: int, fields: Fields, site: str | None
) -> Page | BadRecord:
    """The Page of one row, or a BadRecord when its text is null."""
    source = f"{path}:{row}"
    text = record[fields.text]
    if not isinstance(text, str):
        raw = orjson.dumps(record, default=json_default)
        return BadRecord(source, f"field {fields.text!r} is {json_type(text)}, expected a string", raw)
    if problem := url_problem(record, fields):
        return BadRecord(source, problem, orjson.dumps(record, default=json_default))
    return page_from_record(record, fields, f"{id_name(path)}:{row}", site, source)


def _safe_type(kind: Any) -> Any:
    """The type a column is read as: JSON-representable, and castable back to `kind` without loss."""
    pa, _ = _arrow()
    t = pa.types
    if t.is_timestamp(kind) or t.is_date(kind) or t.is_time(kind) or t.is_decimal(kind):
        return pa.string()
    if t.is_duration(kind):
        return pa.int64()
    if t.is_dictionary(kind):
        return _safe_type(kind.value_type)
    if t.is_large_list(kind):
        return pa.large_list(_safe_type(kind.value_type))
    if t.is_list(kind) or t.is_fixed_size_list(kind):
        return pa.list_(_safe_type(kind.value_type))
    if t.is_struct(kind):
        return pa.struct([f.with_type(_safe_type(f.type)) for f in kind])
    return kind


def _is_binary(kind: Any) -> bool:
    """True for the binary column types, which travel as base64."""
    pa, _ = _arrow()
    t = pa.types
    return bool(t.is_binary(kind) or t.is_large_binary(kind) or t.is_fixed_size_binary(kind))


def _json_safe(batch: Any) -> Any:
    """The batch with every column in its JSON-safe type (see _safe_type; binary as base64 strings)."""
    pa, _ = _arrow()
    columns = []
    for column in batch.columns:
        if _is_binary(column.type):
            values = [None if v is None else base64.b64encode(v).decode("ascii") for v in column.to_pylist()]
            columns.append(pa.array(values, pa.string()))
        else:
            columns.append(column.cast(_safe_type(column.type)))
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def input_schema(files: Sequence[Path], fields: Fields) -> Any | None:
    """The unified schema of the Parquet inputs (None if there are none), without the `dedup` column."""
    pa, _ = _arrow()
    schemas = [_parquet_file(f).schema_arrow for f in files if f.name.lower().endswith(".parquet")]
    if not schemas:
        return None
    try:
        schema = pa.unify_schemas(schemas, promote_options="permissive")
    except pa.ArrowException as e:
        raise InputError(f"the Parquet inputs have incompatible columns ({e}); clean them separately") from e
    if "dedup" in schema.names:
        schema = schema.remove(schema.get_field_index("dedup"))
    return schema.remove_metadata()


def output_schema(known: Any | None, records: Iterable[dict[str, Any]], fields: Fields) -> Any:
    """The output schema: the inputs' columns, then other fields' types inferred, `dedup` last."""
    pa, _ = _arrow()
    types: dict[str, Any] = {f.name: f.type for f in known} if known is not None else {}
    inferred: dict[str, Any] = {}
    it = iter(records)
    while batch := list(islice(it, 4096)):
        for name in dict.fromkeys(k for r in batch for k in r):
            if name in types or name == "dedup":
                continue
            kind = _infer(name, [r.get(name) for r in batch])
            inferred[name] = _merge(name, inferred.get(name, pa.null()), kind)
    types.update(inferred)
    text = types.get(fields.text)
    types[fields.text] = text if text is not None and pa.types.is_large_string(text) else pa.string()
    return pa.schema([*types.items(), ("dedup", pa.string())])


def _infer(name: str, values: list[Any]) -> Any:
    """The Arrow type of a field's values; InputError if they mix types."""
    pa, _ = _arrow()
    try:
        return pa.array(values).type
    except pa.ArrowException as e:
        raise InputError(f"field {name!r} holds values of different types ({e}); write JSONL instead") from e


def _merge(name: str, a: Any, b: Any) -> Any:
    """One type for two batches' types of a field (null fits any, int widens to float)."""
    pa, _ = _arrow()
    try:
        both = [pa.schema([(name, a)]), pa.schema([(name, b)])]
        merged = pa.unify_schemas(both, promote_options="permissive")
    except pa.ArrowException as e:
        message = f"field {name!r} is {a} in some records and {b} in others; write JSONL instead"
        raise InputError(message) from e
    return merged.field(name).type


def _column(name: str, values: list[Any], kind: Any) -> Any:
    """An Arrow array of `kind` from JSON-safe values (cast back from their safe type)."""
    pa, _ = _arrow()
    try:
        if _is_binary(kind):
            values = [base64.b64decode(v) if isinstance(v, str) else v for v in values]
            return pa.array(values, kind)
        safe = _safe_type(kind)
        array = pa.array(values, safe)
        return array if safe == kind else array.cast(kind)
    except (pa.ArrowException, ValueError) as e:
        raise InputError(f"field {name!r}: values do not fit the Parquet column type {kind} ({e})") from e


def record_batch(rows: list[dict[str, Any]], schema: Any) -> Any:
    """Output records as an Arrow batch of the output schema; `dedup` audit objects become JSON strings."""
    pa, _ = _arrow("output")
    for row in rows:
        if isinstance(row.get("dedup"), dict):
            row["dedup"] = orjson.dumps(row["dedup"]).decode("utf-8")
    columns = [_column(f.name, [r.get(f.name) for r in rows], f.type) for f in schema]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


class ParquetOutput:
    """Records to a Parquet file (or size-limited shards), one row group per `write_rows` call, atomically."""

    def __init__(self, path: str | Path, schema: Any, shard_size: int | None = None) -> None:
        """Nothing is created until the context is entered."""
        self.path = Path(path)
        self.schema = schema
        self.shard_size = shard_size
        self.paths: list[Path] = []
        self._out: AtomicOutput | None = None
        self._writer: Any = None

    def __enter__(self) -> ParquetOutput:
        """Open the first file (an empty run still writes one, with the schema)."""
        self._open()
        return self

    def _open(self) -> None:
        """Start the next file."""
        _, pq = _arrow("output")
        path = self.path if self.shard_size is None else shard_path(self.path, len(self.paths))
        self._out = AtomicOutput(path).__enter__()
        self._writer = pq.ParquetWriter(self._out.raw, self.schema)
        self.paths.append(path)

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Write one row group; `dedup` audit objects become JSON strings."""
        if self._out is None:
            self._open()
        assert self._out is not None
        self._writer.write_batch(record_batch(rows, self.schema))
        if self.shard_size is not None and self._out.size >= self.shard_size:
            self._close(None)

    def _close(self, exc: BaseException | None) -> None:
        """Finish (or discard) the open file."""
        out, writer = self._out, self._writer
        self._out = self._writer = None
        if out is None:
            return
        try:
            writer.close()  # the footer; the temp file itself stays open for AtomicOutput
        except BaseException as e:
            out.__exit__(type(e), e, e.__traceback__)
            raise
        out.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        """Finish the open file, or discard it on error."""
        self._close(exc)


def write_parquet(
    lines: Iterable[bytes], path: Path, schema: Any, shard_size: int | None = None
) -> list[Path]:
    """Write JSONL lines as Parquet (or shards), in row groups of about ROW_GROUP_BYTES; the paths written."""
    with ParquetOutput(path, schema, shard_size) as out:
        rows: list[dict[str, Any]] = []
        size = 0
        for line in lines:
            rows.append(orjson.loads(line))
            size += len(line)
            if size >= ROW_GROUP_BYTES:
                out.write_rows(rows)
                rows, size = [], 0
        if rows:
            out.write_rows(rows)
    return out.paths
