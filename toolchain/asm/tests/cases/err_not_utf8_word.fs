\ error: 3:14 byte $e9 is not UTF-8
\ kind: not_utf8
: main  1 café ;
