\ error: 4:3 `FOO` is already defined
\ kind: duplicate_name
: foo ;
: FOO ;
