\ Latin-1 bytes (not UTF-8) in comments and strings are taken as they are: café
\ expect: 0003 6103 66e9 8002
create s1 ," aéf"
( éè ) : main s1 ;fallthru
