\ error: 3:1 bad number `$xyz`
\ kind: bad_number
$xyz constant x
