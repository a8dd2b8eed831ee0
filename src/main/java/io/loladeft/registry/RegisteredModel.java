package io.loladeft.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "model")
class RegisteredModel implements ConditionalUpsert.Row<ModelRequest, ModelView> {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 63)
    private String name;

    /** The whole validated body (name included), stored as one jsonb document. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    private ModelRequest spec;

    private Instant createdAt;
    private Instant updatedAt;

    @Version
    private long version;

    protected RegisteredModel() {}

    RegisteredModel(String name) {
        this.name = name;
        this.createdAt = Instant.now();
    }

    @Override
    public void apply(ModelRequest body) {
        spec = body.withName(name).withDefaults();
        updatedAt = Instant.now();
    }

    String name() {
        return name;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public ModelView view() {
        return new ModelView(
                name,
                spec.architecture(),
                spec.block(),
                spec.precision(),
                spec.weightsDir(),
                spec.tokenizerDir(),
                spec.pretrained(),
                spec.profile(),
                createdAt,
                updatedAt,
                version);
    }
}
