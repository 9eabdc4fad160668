\ org to 0 before anything is emitted, even after other orgs.
\ expect: 0007 0000 0000 0000 0000 8001
$100 org  0 org  7 , 10 org
: start 1 ;fallthru
