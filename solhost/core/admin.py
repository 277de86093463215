from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.utils import timezone

from solhost.core import audit
from solhost.core.forms import FIELD_OVERRIDES, could_be_key
from solhost.core.models import AuditEvent, Parameter, ParameterValue


class AuditTrailInline(GenericTabularInline):
    """The object's audit trail, newest first, read-only, on its admin page."""

    model = AuditEvent
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "actor_label", "action", "changes", "note")
    verbose_name = "audit event"
    verbose_name_plural = "audit trail"
    ordering = ("-at", "-id")

    @admin.display(description="changed")
    def changes(self, event):
        return ", ".join(event.changed_fields()) or "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class KeyedAutocompleteSelect(AutocompleteSelect):
    """Django's, showing a sent value that no key could be as nothing chosen: it looks the
    chosen rows up to name them, and that query would fail on such a value."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field
        key = target.model._meta.get_field(target.field_name)
        return super().optgroups(name, [v for v in value if could_be_key(key, v)], attr)


def deletion_refused(model_admin: admin.ModelAdmin, request, obj, reason: str):
    """Back to the object's own page (the list, if there is no such object), saying why it
    can't be deleted: Django's own refusal is a bare "not open to you"."""
    model_admin.message_user(request, reason, messages.ERROR)
    opts = model_admin.model._meta
    if obj is None:
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes each write an AuditEvent in the same transaction."""

    inlines = [AuditTrailInline]
    formfield_overrides = FIELD_OVERRIDES

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs.setdefault("widget", KeyedAutocompleteSelect(db_field, self.admin_site, using))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def response_action(self, request, queryset):
        # Django filters on the ticked rows' keys as sent; one no key could be would fail
        # inside that query.
        ticked = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(could_be_key(self.model._meta.pk, value) for value in ticked):
            self.message_user(
                request,
                "A ticked row does not exist (it was sent by something other than this "
                "page): nothing was done.",
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            obj._audit_before = before

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            obj = form.instance
            audit.record_saved(
                obj,
                actor=request.user,
                action=audit.admin_action(self.model, "change" if change else "add"),
                before=getattr(obj, "_audit_before", None),
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            for obj in formset.save(commit=False):
                before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
                obj.save()
                audit.record_saved(
                    obj,
                    actor=request.user,
                    action=audit.admin_action(obj, "change" if before else "add"),
                    before=before,
                )
            for obj in formset.deleted_objects:
                audit.record(
                    actor=request.user,
                    action=audit.admin_action(obj, "delete"),
                    obj=obj,
                    before=audit.snapshot(obj),
                )
                obj.delete()
            formset.save_m2m()

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action=audit.admin_action(self.model, "delete"),
                obj=obj,
                before=audit.snapshot(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit.record(
                    actor=request.user,
                    action=audit.admin_action(self.model, "delete"),
                    obj=obj,
                    before=audit.snapshot(obj),
                )
            super().delete_queryset(request, queryset)


class ParameterValueFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        today = timezone.localdate()
        for form in self.deleted_forms:
            value = form.instance
            if value.pk is not None and value.effective_from <= today:
                # Past reports are recomputed from it, and without it today's might have no
                # value in force at all.
                raise ValidationError(
                    f"The value from {value.effective_from:%d %b %Y} has been in force, so it "
                    "stays: past reports are recomputed from it. Add a value from a later "
                    "date to change it from then."
                )


class ParameterValueInline(admin.TabularInline):
    model = ParameterValue
    formset = ParameterValueFormSet
    extra = 0
    fields = ("effective_from", "value", "source", "recorded_at")
    readonly_fields = ("recorded_at",)


@admin.register(Parameter)
class ParameterAdmin(AuditedAdmin):
    list_display = ("key", "title", "criterion", "kind", "unit")
    list_filter = ("criterion", "kind")
    search_fields = ("key", "title", "description")
    inlines = [ParameterValueInline, AuditTrailInline]


class ReadOnlyAdmin(AuditedAdmin):
    """Records that only their own actions write: the steward reads them here and never
    adds, changes or deletes one by hand (each subclass says whose records they are)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("actor_label", "action", "object_repr", "note")
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
