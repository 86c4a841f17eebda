"""Peers for the journal's append latency: a plain append+fsync of the same line size (the floor),
and SQLite with synchronous=FULL (a common choice for audit logs). Prints medians; asserts nothing."""
import json, os, sqlite3, statistics, sys, time

directory, count = sys.argv[1], int(sys.argv[2])
os.makedirs(directory, exist_ok=True)
line = (json.dumps({"body": {"x": "y" * 3000}, "seq": 1}) + "\n").encode()

fd = os.open(os.path.join(directory, "plain.jsonl"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
latencies = []
for _ in range(count):
    start = time.perf_counter_ns()
    os.write(fd, line)
    os.fsync(fd)
    latencies.append(time.perf_counter_ns() - start)
os.close(fd)
print(f"peer: python append+fsync of a {len(line)}-byte line: median {statistics.median(latencies) / 1e6:.3f} ms")

db = sqlite3.connect(os.path.join(directory, "audit.db"), isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, body TEXT)")
latencies = []
for _ in range(count):
    start = time.perf_counter_ns()
    db.execute("INSERT INTO log (body) VALUES (?)", (line.decode(),))
    latencies.append(time.perf_counter_ns() - start)
db.close()
print(f"peer: sqlite3 (WAL, synchronous=FULL) insert of the same row: median {statistics.median(latencies) / 1e6:.3f} ms")
