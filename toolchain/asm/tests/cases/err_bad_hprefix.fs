\ error: 3:11 bad number `zz`
\ kind: bad_number
: main h# zz ;
