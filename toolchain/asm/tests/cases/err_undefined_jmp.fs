\ error: 3:12 undefined name `nowhere`
\ kind: undefined_name
: main jmp nowhere ;
