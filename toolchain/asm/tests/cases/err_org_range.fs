\ error: 3:1 past the end of RAM
\ kind: address_out_of_range
$2001 org
