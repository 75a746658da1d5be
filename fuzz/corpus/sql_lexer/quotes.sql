SELECT 'it''s', E'\n', $$ body ; $$, $t$ x $t$;
-- comment ;
/* nested /* ; */ */ SELECT "q;";