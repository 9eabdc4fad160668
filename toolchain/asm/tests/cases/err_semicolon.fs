\ error: 4:1 `;` outside a definition
\ kind: semicolon_without_colon
: main ;
;
