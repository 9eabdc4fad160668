\ error: 3:1 `;fallthru` outside a definition
\ kind: semicolon_without_colon
;fallthru
