//! Numbers, parsed with nom: `123` `-5` `$ff` `0xff` `%1010` `#10` `'A'`, and
//! the digits after `h#` / `d#`. Every value is 16 bits: −32768..65535 is
//! accepted and stored two's-complement.

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while1};
use nom::character::complete::{anychar, char};
use nom::combinator::{eof, map, opt};
use nom::sequence::{delimited, pair, preceded, terminated};
use nom::IResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumError {
    /// Looks like a number but is not one.
    Bad,
    /// A number, but outside −32768..65535.
    OutOfRange,
}

/// A magnitude, or `None` when it overflowed while reading digits.
type Mag = Option<u64>;

fn digits(radix: u32) -> impl Fn(&str) -> IResult<&str, Mag> {
    move |i| {
        map(
            take_while1(move |c: char| c.is_digit(radix)),
            move |s: &str| {
                s.chars().try_fold(0u64, |acc, c| {
                    acc.checked_mul(radix as u64)?
                        .checked_add(c.to_digit(radix)? as u64)
                })
            },
        )(i)
    }
}

fn magnitude(i: &str) -> IResult<&str, Mag> {
    alt((
        preceded(tag("$"), digits(16)),
        preceded(tag_no_case("0x"), digits(16)),
        preceded(tag("%"), digits(2)),
        preceded(tag("#"), digits(10)),
        map(delimited(char('\''), anychar, char('\'')), |c| {
            Some(c as u64)
        }),
        digits(10),
    ))(i)
}

fn number(i: &str) -> IResult<&str, (bool, Mag)> {
    terminated(pair(map(opt(char('-')), |m| m.is_some()), magnitude), eof)(i)
}

/// True when a token starts the way numbers do (a digit, `$`, `%`, `#`,
/// optionally after `-`), so a failure to parse it is a bad number rather
/// than an unknown word.
pub(crate) fn looks_numeric(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    matches!(s.chars().next(), Some(c) if c.is_ascii_digit() || c == '$' || c == '%' || c == '#')
}

fn to_u16(neg: bool, mag: Mag) -> Result<u16, NumError> {
    match (neg, mag) {
        (false, Some(m)) if m <= 0xffff => Ok(m as u16),
        (true, Some(m)) if m <= 0x8000 => Ok((m as u16).wrapping_neg()),
        _ => Err(NumError::OutOfRange),
    }
}

/// Parses a number token. `None`: not a number and does not look like one.
pub(crate) fn parse_number(s: &str) -> Option<Result<u16, NumError>> {
    match number(s) {
        Ok((_, (neg, mag))) => Some(to_u16(neg, mag)),
        Err(_) if looks_numeric(s) => Some(Err(NumError::Bad)),
        Err(_) => None,
    }
}

/// The digits after `h#` (radix 16) or `d#` (radix 10), optionally negative.
pub(crate) fn parse_radix(s: &str, radix: u32) -> Result<u16, NumError> {
    let r: IResult<&str, (bool, Mag)> = terminated(
        pair(map(opt(char('-')), |m| m.is_some()), digits(radix)),
        eof,
    )(s);
    match r {
        Ok((_, (neg, mag))) => to_u16(neg, mag),
        Err(_) => Err(NumError::Bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<Result<u16, NumError>> {
        parse_number(s)
    }

    #[test]
    fn forms() {
        assert_eq!(n("123"), Some(Ok(123)));
        assert_eq!(n("-5"), Some(Ok(0xfffb)));
        assert_eq!(n("$ff"), Some(Ok(255)));
        assert_eq!(n("$FF"), Some(Ok(255)));
        assert_eq!(n("0xff"), Some(Ok(255)));
        assert_eq!(n("0XfF"), Some(Ok(255)));
        assert_eq!(n("%1010"), Some(Ok(10)));
        assert_eq!(n("#10"), Some(Ok(10)));
        assert_eq!(n("'A'"), Some(Ok(65)));
        assert_eq!(n("-$10"), Some(Ok(0xfff0)));
        assert_eq!(n("0"), Some(Ok(0)));
        assert_eq!(n("-0"), Some(Ok(0)));
    }

    #[test]
    fn range() {
        assert_eq!(n("65535"), Some(Ok(0xffff)));
        assert_eq!(n("-32768"), Some(Ok(0x8000)));
        assert_eq!(n("65536"), Some(Err(NumError::OutOfRange)));
        assert_eq!(n("-32769"), Some(Err(NumError::OutOfRange)));
        assert_eq!(n("$10000"), Some(Err(NumError::OutOfRange)));
        assert_eq!(
            n("99999999999999999999999999"),
            Some(Err(NumError::OutOfRange))
        );
    }

    #[test]
    fn not_numbers() {
        assert_eq!(n("dup"), None);
        assert_eq!(n("-"), None);
        assert_eq!(n("'"), None);
        assert_eq!(n("-x"), None);
        assert_eq!(n("12ab"), Some(Err(NumError::Bad)));
        assert_eq!(n("$"), Some(Err(NumError::Bad)));
        assert_eq!(n("0x"), Some(Err(NumError::Bad)));
        assert_eq!(n("%102"), Some(Err(NumError::Bad)));
        assert_eq!(n("2dup"), Some(Err(NumError::Bad)));
    }

    #[test]
    fn radix() {
        assert_eq!(parse_radix("ff", 16), Ok(255));
        assert_eq!(parse_radix("10", 10), Ok(10));
        assert_eq!(parse_radix("fg", 16), Err(NumError::Bad));
        assert_eq!(parse_radix("10000", 16), Err(NumError::OutOfRange));
    }
}
