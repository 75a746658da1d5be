COPY a (id) FROM STDIN;
1
2
\.
SELECT 1;
COPY b FROM stdin;
x
