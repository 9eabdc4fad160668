\ error: 3:6 byte $e9 is not UTF-8
\ kind: not_utf8
: café 1 ;
: main ;
