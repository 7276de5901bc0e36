from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The newsroom of the programme's PR units (Bakohumas): organisations, their editors
    and reviewers, articles from draft to publication, feeds and the sitemap."""

    name = "sinergi.newsroom"
    label = "newsroom"
