\ expect: 0001 800a ffff 6600 8000 6600 8007
\ symbol: ten constant $000a
\ symbol: minus1 constant $ffff
\ symbol: seven constant $0007
10 constant ten
$8000 constant big
-1 constant minus1
3 4 + constant seven
: main ten big minus1 seven ;fallthru
