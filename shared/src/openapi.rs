//! How the API document describes what derives can't: the answer union
//! with its limits. Only the server builds this (feature `openapi`); its
//! texts are for API clients, never shown to people.

/// The answers as the API document describes them: an object from question
/// id to the answer union (one of four tagged values or the bare string
/// `"prefer_not_to_say"`), with the limits the server holds every answer to
/// whatever its question; a question's own range or options are checked
/// against its template. For `#[schema(schema_with = …)]` on an `Answers`.
pub fn answers_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{
        AdditionalProperties, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
    };

    fn tagged(tag: &str, value: ObjectBuilder, what: &str) -> ObjectBuilder {
        ObjectBuilder::new()
            .property(tag, value)
            .required(tag)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .description(Some(what))
    }

    let text = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(crate::validate::LONG_TEXT_MAX));
    let scale = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)));
    let choice = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(crate::templates::LABEL_MAX));
    let answer = OneOfBuilder::new()
        .item(tagged(
            "text",
            text,
            "A text question's answer: at most 200 characters for a short one, 4000 for a long one.",
        ))
        .item(tagged(
            "scale",
            scale,
            "A scale's point, within the question's minimum and maximum.",
        ))
        .item(tagged("choice", choice, "One of the question's options."))
        .item(tagged(
            "yes_no",
            ObjectBuilder::new().schema_type(Type::Boolean),
            "A yes/no answer.",
        ))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["prefer_not_to_say"]))
                .description(Some("Only for an anonymous question.")),
        );
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(utoipa::openapi::schema::Schema::OneOf(answer.build())))
        .max_properties(Some(crate::templates::QUESTIONS_MAX))
        .description(Some(
            "Answers by question id: at most one per question of the template.",
        ))
        .build()
}
