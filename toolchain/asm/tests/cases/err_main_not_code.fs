\ error: 4:1 `main` is a variable, not code
\ kind: no_main
variable main
