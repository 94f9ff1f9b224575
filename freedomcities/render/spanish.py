"""The words of the reports in Spanish: one entry per key of the English table.

Terms follow ``docs/terminology-es.md`` so the reports, the web app and the
rules say the same thing the same way. A test checks that this table has
exactly the English keys and the same ``{placeholders}``.
"""

from __future__ import annotations

SPANISH: dict[str, str] = {
    "status.meets": "Está por escrito",
    "status.partial": "Está en parte",
    "status.conflicts": "Va en contra de la regla",
    "status.silent": "No se menciona",
    "status.short.meets": "Está",
    "status.short.partial": "En parte",
    "status.short.conflicts": "En contra",
    "status.short.silent": "No se menciona",
    "status.short.none": "Todavía no hay política",
    "status.inline.meets": "está por escrito",
    "status.inline.partial": "está en parte",
    "status.inline.conflicts": "va en contra",
    "status.inline.silent": "no se menciona",
    "stance.meets": "cumple la regla",
    "stance.partial": "cumple la regla en parte",
    "stance.conflicts": "va en contra de la regla",
    "explain.meets": (
        "La política ya lo dice por escrito, al menos con la misma fuerza que la regla modelo. "
        "Agradezca a quienes la escribieron y pida que se mantenga."
    ),
    "explain.partial": (
        "La política toca el tema, pero la protección es más limitada o más débil que la regla "
        "modelo. El texto modelo de abajo muestra qué pedir."
    ),
    "explain.conflicts": (
        "La política dice algo que la regla modelo pide dejar de hacer. Es lo primero que "
        "conviene plantear a los funcionarios."
    ),
    "explain.silent": (
        "No encontramos nada sobre este tema en el documento. Puede estar en una parte que no "
        "recibimos o puede faltar; en cualquier caso, el texto modelo es un buen comienzo."
    ),
    "title": "Evaluación de Freedom Cities",
    "title.for": "Evaluación de Freedom Cities para {jurisdiction}",
    "document": "Documento",
    "document.title": "Título",
    "pages": "Páginas",
    "sections": "Secciones",
    "ocr_pages": "Páginas leídas con OCR",
    "jurisdiction": "Jurisdicción",
    "jurisdiction.none": "no indicada",
    "ruleset": "Reglas",
    "generated": "Hecho el {date}",
    "summary": "{met} de {total} reglas están por escrito",
    "summary.rest": "{partial} en parte, {conflicts} en contra, {silent} sin mencionar",
    "col.number": "N.º",
    "col.rule": "Regla",
    "col.status": "Situación",
    "col.confidence": "Confianza",
    "evidence": "Lo que dice el documento",
    "evidence.none": "No hay citas que mostrar.",
    "evidence.silent": "No encontramos nada sobre esta regla en el documento.",
    "section": "Sección",
    "page": "página {page}",
    "suggestions": "Texto modelo para adoptar",
    "suggestions.none": "Todas las reglas ya están por escrito.",
    "flags": "Palabras que conviene cambiar",
    "flags.none": "No encontramos palabras problemáticas.",
    "flag.suggestion": "Palabras sugeridas",
    "flag.kind.detainer": "Retener a personas por solicitudes de retención de inmigración",
    "flag.kind.287g": "Acuerdo 287(g) con ICE",
    "flag.kind.dro": "Trabajo con agentes de deportación de ICE",
    "flag.kind.reasonable-suspicion-status": "Revisar el estatus por «sospecha razonable»",
    "flag.kind.racial-profiling": "Espacio para perfiles raciales",
    "flag.kind.bias": "Palabras con prejuicio",
    "flag.kind.dehumanizing-language": "Palabras que deshumanizan, como «extranjero ilegal»",
    "optional": "opcional",
    "legend": "Qué quiere decir cada situación",
    "reviewed": "Revisada por {by} el {date}",
    "col.reviewed": "revisada",
    "col.unsure": "{percent}, revisar primero",
    "footer.reviewed": (
        "Revisada por {by} el {date}: una persona comparó cada situación con el documento. "
        "Cita el documento para que usted pueda revisar cada resultado por su cuenta."
    ),
    "footer": (
        "Esta evaluación la hizo una computadora que leyó el documento. Cita el documento para "
        "que usted pueda revisar cada resultado; por favor hágalo antes de basarse en ella."
    ),
    "reading": "Leyendo {source}",
    "judging": "Revisando las reglas",
    "analysing": "Analizando documentos",
    "ocrcache.folder": "Caché de OCR de páginas escaneadas: {folder}",
    "ocrcache.current": (
        "  leídas con la configuración de OCR de esta máquina: {pages} páginas, {size}"
    ),
    "ocrcache.other": (
        "  leídas con otra configuración de OCR, que ya no se usarán: {pages} páginas, {size}"
    ),
    "ocrcache.in_use": "  en lectura ahora, no se tocan: {files} archivos",
    "ocrcache.removed": "Se quitaron {pages} textos de páginas ({size}).",
    "report.kind.annotated": "Política comentada",
    "report.kind.redline": "Cambios marcados",
    "report.kind.packet": "Carpeta para la reunión",
    "report.title.for": "{title}: {jurisdiction}",
    "report.jurisdiction.none": "su ciudad, condado o estado",
    "report.page_of": "Página {page} de {pages}",
    "report.stance.meets": "cumple",
    "report.stance.partial": "cumple en parte",
    "report.stance.conflicts": "va en contra",
    "report.tag": "[Regla {rule} {symbol} {stance}]",
    "report.legend": "Cómo leer las marcas",
    "report.legend.meets": "Subrayado continuo: el pasaje cumple la regla.",
    "report.legend.partial": "Subrayado de rayas: el pasaje cumple la regla solo en parte.",
    "report.legend.conflicts": "Subrayado doble: el pasaje va en contra de la regla.",
    "report.legend.tags": (
        "Después de cada pasaje marcado hay una etiqueta entre corchetes con la regla y lo que "
        "hace el pasaje, para que las marcas se lean igual en blanco y negro."
    ),
    "report.annotated.intro": (
        "Las palabras de la propia política, sección por sección, con cada pasaje que toca una "
        "regla marcado. Las notas dicen qué regla, por qué y qué texto modelo pedir."
    ),
    "report.annotated.left_out": (
        "{count} de {total} secciones no dicen nada sobre las reglas y no se incluyen."
    ),
    "report.annotated.none": "No encontramos ningún pasaje de la política que toque las reglas.",
    "report.annotated.missing": "Reglas que la política no menciona: pida que se agreguen",
    "report.note.rule": "Regla {rule} · {name}",
    "report.note.replace": "Pida que se reemplace con",
    "report.note.see_above": (
        "Texto modelo de la Regla {rule}: vea la primera nota sobre esta regla."
    ),
    "report.redline.intro": (
        "Las palabras que se quitan están tachadas y llevan la etiqueta [Quitar]; las reglas "
        "modelo que se agregan están subrayadas y llevan la etiqueta [Agregar]. El resto de cada "
        "sección se muestra sin cambios, como contexto."
    ),
    "report.redline.replace": "Cambios al texto de la política",
    "report.redline.add": "Secciones nuevas para agregar",
    "report.redline.new": "Sección nueva: Regla {rule} · {name}",
    "report.redline.none": "No hay cambios que pedir: todas las reglas están por escrito.",
    "report.redline.inserted_above": "El texto modelo de la regla {rules} está agregado arriba.",
    "report.delete": "[Quitar]",
    "report.insert": "[Agregar: Regla {rule}]",
    "report.why": "Por qué",
    "report.packet.contents": "En esta carpeta",
    "report.packet.scorecard": "Evaluación",
    "report.packet.rules": "Las reglas en palabras sencillas",
    "report.packet.rules.intro": (
        "Cada regla, por qué importa y cómo está hoy la política de {jurisdiction} al respecto."
    ),
    "report.packet.asks": "Lo que pedimos",
    "report.packet.asks.intro": (
        "Pedimos a {jurisdiction} que ponga estas reglas por escrito, con estas palabras o con "
        "otras más fuertes."
    ),
    "report.packet.asks.none": "Todas las reglas ya están por escrito. Gracias.",
    "report.packet.redline": "Los cambios, marcados en la política",
    "report.in_policy": "En esta política",
    "report.not_addressed": "La política no menciona esta regla.",
    "report.note.meets": "Este pasaje cumple la regla.",
    "report.note.partial": "Este pasaje cumple la regla solo en parte.",
    "report.note.conflicts": "Este pasaje va en contra de la regla.",
    "report.note.change": (
        "Este pasaje no llega a lo que pide la regla: reemplácelo con el texto modelo."
    ),
    "compare.title": "Qué cambió entre dos versiones",
    "compare.title.for": "Qué cambió entre dos versiones, {jurisdiction}",
    "compare.old": "Antes",
    "compare.new": "Después",
    "compare.summary": (
        "{moved} de {total} reglas cambiaron de situación: {better} mejoraron, {worse} empeoraron"
    ),
    "compare.sections.summary": (
        "Secciones: {changed} cambiadas, {added} agregadas, {removed} quitadas, {unchanged} iguales"
    ),
    "compare.moves": "Reglas que cambiaron de situación",
    "compare.moves.none": "Ninguna regla cambió de situación.",
    "compare.steady": "Misma situación en las dos versiones: reglas {rules}",
    "compare.col.change": "Cambio",
    "compare.better": "mejor",
    "compare.worse": "peor",
    "compare.sections": "Secciones que cambiaron",
    "compare.sections.none": "Ninguna sección cambió.",
    "compare.kind.added": "agregada",
    "compare.kind.removed": "quitada",
    "compare.kind.changed": "cambiada",
    "compare.similarity": "{percent} de las palabras iguales",
    "compare.unlabelled": "sección sin título",
    "compare.legend": (
        "Las palabras quitadas se muestran [-así-]; las palabras agregadas, {+así+}."
    ),
    "compare.legend.page": (
        "Las palabras quitadas están tachadas; las palabras agregadas, subrayadas."
    ),
    "docx.annotated.title": "Política comentada",
    "docx.annotated.title.for": "Política comentada para {jurisdiction}",
    "docx.annotated.intro": (
        "Las palabras de la propia política, en las {shown} secciones que tocan las reglas de "
        "Freedom Cities. Otras {left_out} secciones no dicen nada sobre las reglas y no se "
        "incluyen. Cada pasaje que toca una regla está marcado; el comentario al margen dice qué "
        "regla y por qué, y el recuadro de abajo da el texto modelo que conviene pedir."
    ),
    "docx.subtitle": "{name}, {pages} páginas · para {jurisdiction} · hecho el {date}",
    "docx.section.untitled": "Parte de la política sin título",
    "docx.legend": "Cómo leer las marcas",
    "docx.legend.sample": "palabras marcadas",
    "docx.legend.conflicts": (
        "Rojo, subrayado doble: el pasaje va en contra de la regla. Plantéelo primero."
    ),
    "docx.legend.partial": "Amarillo, subrayado de rayas: el pasaje cumple la regla solo en parte.",
    "docx.legend.meets": "Verde, subrayado sencillo: el pasaje cumple la regla. Que se mantenga.",
    "docx.legend.notes": (
        "La etiqueta entre corchetes antes de cada pasaje nombra la regla y lo que hace el "
        "pasaje, para que las marcas se lean igual en blanco y negro. N es el número de la regla."
    ),
    "docx.tag.rule": "Regla {ids}",
    "docx.tag.rules": "Reglas {ids}",
    "docx.stance.meets": "cumple",
    "docx.stance.partial": "cumple en parte",
    "docx.stance.conflicts": "va en contra",
    "docx.model.replace": "Reemplace el pasaje marcado con el texto modelo ({rules}):",
    "docx.model.add": "Agregue el texto modelo ({rules}):",
    "docx.missing": "Reglas que la política no menciona",
    "docx.missing.intro": (
        "No encontramos nada sobre estas reglas en la política. Pida que se agregue el texto "
        "modelo."
    ),
    "docx.redline.title": "Cambios propuestos a la política",
    "docx.redline.title.for": "Cambios propuestos a la política para {jurisdiction}",
    "docx.redline.heading": "Los cambios, como control de cambios en la política",
    "docx.redline.intro": (
        "Cada cambio es un cambio controlado por freedomcities: el pasaje que se quita aparece "
        "borrado y la regla modelo agregada después, con el resto de la sección igual alrededor. "
        "En Word, use Revisar > Aceptar o Rechazar para tomar cada cambio uno por uno; el "
        "comentario junto a cada cambio dice qué regla y por qué."
    ),
    "docx.redline.new": "Secciones nuevas para agregar",
    "docx.packet.title": "Carpeta de Freedom Cities para la reunión",
    "docx.packet.title.for": "Carpeta de Freedom Cities para la reunión con {jurisdiction}",
    "docx.packet.rules": "Las reglas en palabras sencillas",
    "docx.packet.asks": "Lo que pedimos",
    "docx.rule_title": "Regla {rule} — {name}",
}
