from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock


class CalloutBlock(blocks.StructBlock):
    """GOV.UK inset text: a short piece of text that stands out from the body."""

    text = blocks.RichTextBlock(features=["bold", "italic", "link"])

    class Meta:
        icon = "pick"
        template = "components/streamfield/blocks/callout_block.html"


class WarningBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=400)

    class Meta:
        icon = "warning"
        template = "components/streamfield/blocks/warning_block.html"


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(required=False, help_text="Defaults to the document's own title.")

    class Meta:
        icon = "doc-full"
        template = "components/streamfield/blocks/document_link_block.html"


class DetailsBlock(blocks.StructBlock):
    """GOV.UK details: a summary a reader can open for more."""

    summary = blocks.CharBlock(max_length=200)
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "list-ul"
        template = "components/streamfield/blocks/details_block.html"


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "document-link", "ol", "ul"]


class BaseStreamBlock(blocks.StreamBlock):
    """The shared block set for every page's ``body``."""

    heading = blocks.CharBlock(
        form_classname="title",
        icon="title",
        template="components/streamfield/blocks/heading_block.html",
    )
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        template="components/streamfield/blocks/paragraph_block.html",
    )
    image = ImageBlock(template="components/streamfield/blocks/image_block.html")
    callout = CalloutBlock()
    warning = WarningBlock()
    details = DetailsBlock()
    document = DocumentLinkBlock()
