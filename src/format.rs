//! Number formatting shared by demo transcripts and golden files.
//!
//! Every number a reader or a golden file sees goes through here, so the same
//! value always prints the same way: fixed precision, and `-0.0` folded into
//! `0.0` (a sign of zero is rounding noise, not information).

use ndarray::ArrayView2;

/// Round `x` to `decimals` places, folding negative zero into zero.
///
/// # Examples
/// ```
/// assert_eq!(embspace::format::round(-0.00001, 3), 0.0);
/// assert!(embspace::format::round(-0.00001, 3).is_sign_positive());
/// assert_eq!(embspace::format::round(0.12345, 3), 0.123);
/// ```
pub fn round(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let r = (x * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

/// `n` with its noun, for nouns whose plural adds an `s`: `1 row`, `2 rows`.
///
/// # Examples
/// ```
/// assert_eq!(embspace::format::plural(1, "row"), "1 row");
/// assert_eq!(embspace::format::plural(0, "token"), "0 tokens");
/// ```
pub fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// `x` with exactly `decimals` places: `fixed(1.0, 3) == "1.000"`.
///
/// # Examples
/// ```
/// assert_eq!(embspace::format::fixed(-0.0, 2), "0.00");
/// assert_eq!(embspace::format::fixed(2.0f64.sqrt(), 4), "1.4142");
/// ```
pub fn fixed(x: f64, decimals: u32) -> String {
    format!("{:.*}", decimals as usize, round(x, decimals))
}

/// `x` rounded to `decimals` places and printed in its shortest form with at
/// least one decimal, as Python prints a rounded float: `12.0`, `0.3289`.
///
/// # Examples
/// ```
/// assert_eq!(embspace::format::short(12.0, 4), "12.0");
/// assert_eq!(embspace::format::short(0.328_913, 4), "0.3289");
/// ```
pub fn short(x: f64, decimals: u32) -> String {
    let r = round(x, decimals);
    let s = format!("{r}");
    if s.contains(['.', 'e', 'N', 'i']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// A list of numbers in [`short`] form: `[0.3, 0.4, 0.5]`.
///
/// # Examples
/// ```
/// assert_eq!(embspace::format::list(&[0.3, 0.4, 0.5], 4), "[0.3, 0.4, 0.5]");
/// ```
pub fn list<'a>(values: impl IntoIterator<Item = &'a f64>, decimals: u32) -> String {
    let items: Vec<String> = values.into_iter().map(|&v| short(v, decimals)).collect();
    format!("[{}]", items.join(", "))
}

/// A shape as a tuple: `(2, 3, 3)`.
///
/// # Examples
/// ```
/// assert_eq!(embspace::format::shape(&[2, 3]), "(2, 3)");
/// ```
pub fn shape(dims: &[usize]) -> String {
    let items: Vec<String> = dims.iter().map(usize::to_string).collect();
    format!("({})", items.join(", "))
}

/// A size in bytes, kB or MB (decimal units, one decimal).
///
/// # Examples
/// ```
/// use embspace::format::bytes;
/// assert_eq!((bytes(999), bytes(48_000), bytes(286_400_000)), ("999 B".into(), "48.0 kB".into(), "286.4 MB".into()));
/// ```
pub fn bytes(n: usize) -> String {
    if n < 1_000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{:.1} kB", n as f64 / 1e3)
    } else {
        format!("{:.1} MB", n as f64 / 1e6)
    }
}

/// A matrix as aligned rows of [`fixed`] numbers, one line per row.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let text = embspace::format::matrix(array![[1.0, -0.5], [0.25, 0.0]].view(), 2);
/// assert_eq!(text, "[[ 1.00 -0.50]\n [ 0.25  0.00]]");
/// ```
pub fn matrix(m: ArrayView2<f64>, decimals: u32) -> String {
    let cells: Vec<Vec<String>> = m
        .rows()
        .into_iter()
        .map(|row| row.iter().map(|&v| fixed(v, decimals)).collect())
        .collect();
    let width = cells.iter().flatten().map(String::len).max().unwrap_or(0);
    let lines: Vec<String> = cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| format!("{c:>width$}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let body = lines
        .iter()
        .map(|l| format!("[{l}]"))
        .collect::<Vec<_>>()
        .join("\n ");
    format!("[{body}]")
}

/// A value prepared for a golden file: rounded to 10 significant digits, with
/// `-0.0` folded, so last-bit differences between machines do not show.
///
/// # Examples
/// ```
/// assert_eq!(embspace::format::stable(0.1 + 0.2), 0.3);
/// assert!(embspace::format::stable(-0.0).is_sign_positive());
/// ```
pub fn stable(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return if x == 0.0 { 0.0 } else { x };
    }
    let r: f64 = format!("{x:.9e}").parse().expect("a formatted float parses back");
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_matches_python_repr_of_rounded_floats() {
        assert_eq!(short(-0.509_366, 4), "-0.5094");
        assert_eq!(short(3.040_912_3, 4), "3.0409");
        assert_eq!(short(1e-17, 8), "0.0");
        assert_eq!(short(1.224_744_871, 6), "1.224745");
    }

    #[test]
    fn negative_zero_never_prints_a_sign() {
        assert_eq!(fixed(-0.0, 3), "0.000");
        assert_eq!(short(-0.0, 3), "0.0");
        assert_eq!(list(&[-0.0, -1e-9], 2), "[0.0, 0.0]");
    }

    #[test]
    fn stable_keeps_ten_significant_digits() {
        assert_eq!(stable(1.234_567_890_4e-5), 1.234_567_89e-5);
        assert_eq!(stable(-2.5), -2.5);
        assert!(stable(f64::NAN).is_nan());
    }
}
