\ error: 3:8 bad number `12ab`
\ kind: bad_number
: main 12ab ;
