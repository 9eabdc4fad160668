\ The helper call is an ordinary call: `;` makes it a jump. One helper for all uses.
\ expect: 0003 4004 0004 0001 a000 6403 6127 608c
: f @ @ ;
: main f ;
