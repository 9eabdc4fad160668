\ error: 4:1 no `main`
\ kind: no_main
: start ;
