\ error: 4:6 image over 4096 words
\ kind: image_too_large
: main ;
8190 allot
