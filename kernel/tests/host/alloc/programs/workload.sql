-- workload.sql: an SQLite workload for make bench-programs (preload_run.py runs
-- sqlite3 :memory: < workload.sql under glibc and under every allocator design's shim and
-- compares the output). Tables filled by recursive CTEs, indexes, joins, GROUP BY and ORDER BY;
-- every query's result is printed, so a corrupted heap shows as a different output.
PRAGMA cache_size = -65536;
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT, city TEXT, since INTEGER);
CREATE TABLE item(id INTEGER PRIMARY KEY, title TEXT, price INTEGER, kind TEXT);
CREATE TABLE sale(id INTEGER PRIMARY KEY, cust INTEGER, item INTEGER, qty INTEGER, note TEXT);

WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000)
INSERT INTO customer SELECT x, printf('cust-%06d-%s', x, hex(x * 2654435761 % 65536)),
	printf('city%03d', x * 37 % 211), 1990 + x % 35 FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000)
INSERT INTO item SELECT x, printf('item %d %s', x, substr('abcdefghijklmnopqrstuvwxyz', x % 26 + 1, 5)),
	(x * 7919) % 10000 + 99, printf('kind%02d', x % 17) FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 120000)
INSERT INTO sale SELECT x, (x * 7907) % 20000 + 1, (x * 104729) % 5000 + 1, x % 9 + 1,
	CASE WHEN x % 5 = 0 THEN printf('note for sale %d, %s', x, hex(x * 31)) END FROM n;

CREATE INDEX sale_cust ON sale(cust);
CREATE INDEX sale_item ON sale(item);
CREATE INDEX cust_city ON customer(city, name);

SELECT count(*), sum(qty), max(length(note)) FROM sale;
SELECT c.city, count(*) AS n, sum(s.qty * i.price) AS revenue
	FROM sale s JOIN customer c ON c.id = s.cust JOIN item i ON i.id = s.item
	GROUP BY c.city ORDER BY revenue DESC, c.city LIMIT 12;
SELECT i.kind, count(DISTINCT s.cust), avg(s.qty), group_concat(DISTINCT c.since % 10)
	FROM sale s JOIN item i ON i.id = s.item JOIN customer c ON c.id = s.cust
	GROUP BY i.kind ORDER BY i.kind;
SELECT name, total FROM (SELECT c.name, sum(s.qty) AS total FROM customer c
	JOIN sale s ON s.cust = c.id GROUP BY c.id) ORDER BY total DESC, name LIMIT 10;
SELECT substr(title, -5), count(*) FROM item GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5;
UPDATE sale SET note = upper(coalesce(note, 'none')) || printf('%08d', id) WHERE id % 3 = 0;
DELETE FROM sale WHERE id % 7 = 0;
SELECT count(*), sum(length(note)), min(note), max(note) FROM sale;
SELECT city, group_concat(name, ',') FROM (SELECT city, name FROM customer
	WHERE id % 1000 = 1 ORDER BY name) GROUP BY city ORDER BY city LIMIT 8;
