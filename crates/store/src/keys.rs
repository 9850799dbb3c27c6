//! Domain enums as the database stores them: their stable text key. [`Key`] decodes that text
//! into the enum at the storage boundary; text no variant names is a decoding error that says
//! which value it was ("unknown dossier status \"x\""), never a panic.
//!
//! Used by the rows' `#[sqlx(try_from = "Key<...>")]` (sqlx's own `try_from` from `String`
//! loses the conversion's message).

use motcua_domain::UnknownKey;
use motcua_domain::catalogue::{Channel, ProcedureStatus};
use motcua_domain::dossier::Status;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

/// A domain enum read from its text key.
pub struct Key<T>(pub T);

impl<DB: Database, T> Type<DB> for Key<T>
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database, T> Decode<'r, DB> for Key<T>
where
    String: Decode<'r, DB>,
    T: TryFrom<String, Error = UnknownKey>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as Decode<'r, DB>>::decode(value)?;
        Ok(Key(T::try_from(text)?))
    }
}

macro_rules! unwrap_key {
    ($($t:ty),*) => {$(
        impl From<Key<$t>> for $t {
            fn from(k: Key<$t>) -> $t {
                k.0
            }
        }
    )*};
}

unwrap_key!(Status, Channel, ProcedureStatus);
